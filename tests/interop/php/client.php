<?php
// Interop client: PHP SoapClient (ext-soap), PHP 8.2 (Debian packages php-cli, php-soap).
//
// Runs the dualgate API-user lifecycle once with 'soap_version' => SOAP_1_1 and once with
// SOAP_1_2, importing the WSDL from $DUALGATE_WSDL each time (no cache).
//
// Known quirks of this client:
//  - The WSDL cache must be off (php -d soap.wsdl_cache_enabled=0 in ./run, plus
//    'cache_wsdl' => WSDL_CACHE_NONE): every run is a new server on a new port.
//  - In SOAP 1.2 mode SoapClient still uses the first port it finds for an operation (the
//    SOAP 1.1 port `Secure_ApiService`) for its address and soapAction; it sends a 1.2
//    envelope with the action only in `Content-Type: application/soap+xml; charset=utf-8;
//    action="..."`.
//  - 'login'/'password' (HTTP Basic) are sent on the WSDL fetch too, so a client built with a
//    wrong password must still load the WSDL (the server serves it without authentication).
//  - A repeated element (ArrayOfApiUser/ApiUser, Properties/ApiAccountProperty) becomes a
//    PHP array when there are several, a single object when there is one, and no property
//    at all when there are none; list_of() handles the three cases explicitly.
//  - Faults are SoapFault exceptions: $e->faultcode is the raw QName text of faultcode
//    (SOAP 1.1, e.g. "s:Client") or Code/Value (SOAP 1.2, e.g. "s:Sender"), prefix included,
//    so we compare its local part; $e->faultstring is the faultstring / Reason Text, whose
//    last word is the error code. The HTTP status is only visible in __getLastResponseHeaders().
//  - __getLastResponse() (needs 'trace' => 1) gives the raw body, also after a fault.

declare(strict_types=1);

$failures = 0;

function check(bool $cond, string $what, string $detail = ''): bool
{
    global $failures;
    if ($cond) {
        echo "ok - $what\n";
    } else {
        $failures++;
        echo "not ok - $what: " . trim(preg_replace('/\s*\R\s*/', ' ', $detail)) . "\n";
    }
    return $cond;
}

function check_eq($got, $want, string $what): bool
{
    return check($got === $want, $what, 'got ' . var_export($got, true) . ', want ' . var_export($want, true));
}

function env(string $name): string
{
    $v = getenv($name);
    if ($v === false || $v === '') {
        fwrite(STDERR, "missing environment variable $name\n");
        exit(2);
    }
    return $v;
}

$URL = env('DUALGATE_URL');
$WSDL = env('DUALGATE_WSDL');
$OWNER = env('DUALGATE_OWNER_LOGIN');
$OWNER_PASSWORD = env('DUALGATE_OWNER_PASSWORD');
$RECORD_DIR = env('DUALGATE_RECORD_DIR');

// One SOAP version's run: its tag ("soap11"/"soap12"), the response counter and the
// Content-Type mismatches seen so far.
final class Run
{
    public int $n = 0;
    public array $badContentTypes = [];
    public function __construct(public int $version, public string $tag) {}
}

function make_client(Run $run, string $login, string $password): SoapClient
{
    global $WSDL;
    return new SoapClient($WSDL, [
        'soap_version' => $run->version,
        'login' => $login,
        'password' => $password,
        'trace' => 1,
        'exceptions' => true,
        'cache_wsdl' => WSDL_CACHE_NONE,
        'connection_timeout' => 10,
    ]);
}

// Calls $op, saves the raw response body (fault or not) to the record directory and notes
// a response Content-Type that does not match the SOAP version. SoapFault propagates.
function call(Run $run, SoapClient $client, string $op, array $params = [])
{
    global $RECORD_DIR;
    try {
        return $client->__soapCall($op, [$params]);
    } finally {
        $body = $client->__getLastResponse();
        if ($body !== null && $body !== '') {
            $run->n++;
            file_put_contents(sprintf('%s/php-%s-%02d-%s.xml', $RECORD_DIR, $run->tag, $run->n, $op), $body);
        }
        $headers = (string) $client->__getLastResponseHeaders();
        $want = $run->version === SOAP_1_2 ? 'application/soap+xml' : 'text/xml';
        if (!preg_match('/^Content-Type:\s*' . preg_quote($want, '/') . '\s*;\s*charset=utf-8\s*$/mi', $headers)) {
            $run->badContentTypes[] = "$op: " . trim(preg_replace('/\r?\n/', ' | ', $headers));
        }
    }
}

// Expects $fn to throw a SoapFault whose faultstring ends with $code, whose faultcode is
// the client-side code of the SOAP version (Client for 1.1, Sender for 1.2) and whose HTTP
// status is $status.
function expect_fault(Run $run, SoapClient $client, callable $fn, string $code, int $status, string $what): void
{
    try {
        $result = $fn();
        check(false, $what, 'no fault, got ' . json_encode($result));
    } catch (SoapFault $e) {
        $words = preg_split('/\s+/', trim((string) $e->faultstring));
        check_eq(end($words), $code, "$what (faultstring \"{$e->faultstring}\")");
        $wantCode = $run->version === SOAP_1_2 ? 'Sender' : 'Client';
        check_eq(preg_replace('/^.*:/', '', (string) $e->faultcode), $wantCode, "$what: faultcode {$e->faultcode}");
        preg_match('#^HTTP/\S+\s+(\d+)#', (string) $client->__getLastResponseHeaders(), $m);
        check_eq((int) ($m[1] ?? 0), $status, "$what: HTTP status");
    }
}

// PHP's mapping of a maxOccurs="unbounded" element: absent (none), an object (one) or an
// array (several). Returns a plain list in every case.
function list_of($container, string $element): array
{
    if ($container === null || !isset($container->$element)) {
        return [];
    }
    $v = $container->$element;
    return is_array($v) ? $v : [$v];
}

function lifecycle(Run $run): void
{
    global $URL, $OWNER, $OWNER_PASSWORD;
    $t = $run->tag;
    $v = $run->version === SOAP_1_2 ? '1.2' : '1.1';
    $clientStatus = 500; // HTTP status of a Client/Sender fault, in both versions

    // 1. import the WSDL
    $owner = make_client($run, $OWNER, $OWNER_PASSWORD);
    $ops = array_unique(array_map(fn ($f) => preg_replace('/^\S+\s+(\w+)\(.*$/s', '$1', $f), $owner->__getFunctions()));
    sort($ops);
    check_eq($ops, ['CreateApiUser', 'DeleteApiUser', 'GetApiUserById', 'GetApiUsers', 'GetAuditEvents', 'GetCurrentAccountInfo',
        'GetServerTime', 'SetApiUserPassword', 'UnlockApiUser', 'UpdateApiUser'], "$t: WSDL imported from $URL with the 10 operations");

    // 2. as the owner
    $suffix = bin2hex(random_bytes(3));
    $description = "interop php SOAP $v $suffix";
    $password1 = "Interop-7kq!Zm2$suffix";
    $password2 = "Interop-9xw#Qp4$suffix";

    $created = call($run, $owner, 'CreateApiUser', ['apiUser' => [
        'Description' => $description, 'Status' => 'Enabled',
        'Password' => $password1, 'ConfirmPassword' => $password1,
    ]])->CreateApiUserResult;
    $id = $created->Id ?? 0;
    $email = $created->Email ?? '';
    check(is_int($id) && $id > 0, "$t: CreateApiUser returns an Id > 0", var_export($id, true));
    check(str_ends_with($email, '@apiconnector.com'), "$t: CreateApiUser Email ends with @apiconnector.com", var_export($email, true));
    check_eq($created->Description ?? null, $description, "$t: CreateApiUser Description is what was sent");
    check_eq($created->Status ?? null, 'Enabled', "$t: CreateApiUser Status is Enabled");
    // Make sure the run really used the intended SOAP version on the wire.
    $sent = (string) $owner->__getLastRequestHeaders();
    $wantType = $run->version === SOAP_1_2
        ? 'Content-Type: application/soap+xml; charset=utf-8; action="http://apiconnector.com/v2/ApiService/CreateApiUser"'
        : 'Content-Type: text/xml; charset=utf-8';
    check(stripos($sent, $wantType) !== false, "$t: request sent with $wantType", trim($sent));

    $page = list_of(call($run, $owner, 'GetApiUsers', ['select' => 1, 'skip' => 0])->GetApiUsersResult ?? null, 'ApiUser');
    check_eq(count($page), 1, "$t: GetApiUsers select=1 skip=0 returns exactly one");
    $all = list_of(call($run, $owner, 'GetApiUsers', ['select' => 1000, 'skip' => 0])->GetApiUsersResult ?? null, 'ApiUser');
    $ids = array_map(fn ($u) => $u->Id ?? null, $all);
    check(in_array($id, $ids, true), "$t: GetApiUsers select=1000 skip=0 contains id $id", 'ids ' . json_encode($ids));
    $past = count($all) + 100;
    $none = call($run, $owner, 'GetApiUsers', ['select' => 1000, 'skip' => $past])->GetApiUsersResult ?? null;
    check_eq(count(list_of($none, 'ApiUser')), 0, "$t: GetApiUsers skip=$past (past the end) returns none");

    $got = call($run, $owner, 'GetApiUserById', ['id' => $id])->GetApiUserByIdResult;
    check_eq($got->Email ?? null, $email, "$t: GetApiUserById Email matches");
    check_eq($got->Description ?? null, $description, "$t: GetApiUserById Description matches");

    $description2 = "$description (updated)";
    $updated = call($run, $owner, 'UpdateApiUser', ['id' => $id, 'apiUser' => [
        'Description' => $description2, 'Status' => 'Disabled',
    ]])->UpdateApiUserResult;
    check_eq($updated->Description ?? null, $description2, "$t: UpdateApiUser response has the new Description");
    check_eq($updated->Status ?? null, 'Disabled', "$t: UpdateApiUser response has Status Disabled");
    $reread = call($run, $owner, 'GetApiUserById', ['id' => $id])->GetApiUserByIdResult;
    check(($reread->Description ?? null) === $description2 && ($reread->Status ?? null) === 'Disabled',
        "$t: GetApiUserById after update shows the new Description and Disabled", json_encode($reread));
    $enabled = call($run, $owner, 'UpdateApiUser', ['id' => $id, 'apiUser' => ['Status' => 'Enabled']])->UpdateApiUserResult;
    check_eq($enabled->Status ?? null, 'Enabled', "$t: UpdateApiUser sets Status back to Enabled");
    check_eq($enabled->Description ?? null, $description2, "$t: UpdateApiUser with only Status keeps the Description");

    call($run, $owner, 'SetApiUserPassword', ['id' => $id, 'password' => $password2, 'confirmPassword' => $password2]);
    check(true, "$t: SetApiUserPassword with password and confirmPassword");

    // 3. as the API user, with the new password
    $api = make_client($run, $email, $password2);
    $account = call($run, $api, 'GetCurrentAccountInfo')->GetCurrentAccountInfoResult;
    check(is_int($account->Id ?? null) && $account->Id > 0, "$t: GetCurrentAccountInfo as the API user returns an Id", json_encode($account));
    $props = [];
    foreach (list_of($account->Properties ?? null, 'ApiAccountProperty') as $p) {
        $props[$p->Name ?? ''] = $p->Value ?? null;
    }
    check_eq($props['ApiEndpoint'] ?? null, "$URL/", "$t: GetCurrentAccountInfo ApiEndpoint");
    check(isset($props['Name']) && $props['Name'] !== '', "$t: GetCurrentAccountInfo has a Name", json_encode($props));

    $time = call($run, $api, 'GetServerTime')->GetServerTimeResult ?? '';
    try {
        $skew = abs((new DateTimeImmutable((string) $time))->getTimestamp() - time());
        check($skew <= 180, "$t: GetServerTime $time is within 3 minutes of now", "off by {$skew}s");
    } catch (Exception $e) {
        check(false, "$t: GetServerTime returns a dateTime", var_export($time, true));
    }

    // 4. faults. The old password is a wrong password for the WSDL fetch as well: PHP sends
    // it there too, and the WSDL must still load.
    try {
        $stale = make_client($run, $email, $password1);
        check(true, "$t: new SoapClient loads the WSDL even with a wrong password");
        expect_fault($run, $stale, fn () => call($run, $stale, 'GetCurrentAccountInfo'), 'ERROR_INVALID_LOGIN', 401,
            "$t: GetCurrentAccountInfo with the old password faults ERROR_INVALID_LOGIN");
    } catch (SoapFault $e) {
        check(false, "$t: new SoapClient loads the WSDL even with a wrong password", "{$e->faultcode}: {$e->faultstring}");
    }
    expect_fault($run, $owner, fn () => call($run, $owner, 'GetApiUserById', ['id' => 999999999]), 'ERROR_APIUSER_NOT_FOUND', $clientStatus,
        "$t: GetApiUserById 999999999 faults ERROR_APIUSER_NOT_FOUND");
    // One wrong password does not lock the user; UnlockApiUser is still a no-op success.
    call($run, $owner, 'UnlockApiUser', ['id' => $id]);
    check(true, "$t: UnlockApiUser");

    // 5. delete
    call($run, $owner, 'DeleteApiUser', ['id' => $id]);
    check(true, "$t: DeleteApiUser");
    expect_fault($run, $owner, fn () => call($run, $owner, 'GetApiUserById', ['id' => $id]), 'ERROR_APIUSER_NOT_FOUND', $clientStatus,
        "$t: GetApiUserById of the deleted user faults ERROR_APIUSER_NOT_FOUND");

    check($run->badContentTypes === [], "$t: all {$run->n} responses have the SOAP $v Content-Type",
        implode('; ', $run->badContentTypes));
}

foreach ([new Run(SOAP_1_1, 'soap11'), new Run(SOAP_1_2, 'soap12')] as $run) {
    try {
        lifecycle($run);
    } catch (Throwable $e) {
        $detail = $e instanceof SoapFault ? "SoapFault {$e->faultcode}: {$e->faultstring}" : get_class($e) . ': ' . $e->getMessage();
        check(false, "{$run->tag}: lifecycle ran to the end", $detail . ' at line ' . $e->getLine());
    }
}

exit($failures === 0 ? 0 : 1);
