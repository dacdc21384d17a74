#!/usr/bin/perl
# Interop client: SOAP::Lite 1.27 (Debian libsoap-lite-perl 1.27-3) on Perl 5.36.
#
# SOAP::Lite is an rpc/encoded toolkit: its WSDL stubs (->service) do not build document/literal
# wrappers, so the WSDL is imported with SOAP::Schema (SOAP::Lite's own WSDL reader) for the
# endpoint, namespace and soapAction of each operation, and the calls are built by hand:
#   default_ns(v2) for the wrapper, SOAP::Data->name(...)->uri(...) for every child exactly as the
#   schema qualifies it (wrapper children in http://apiconnector.com/v2, ApiUser fields in
#   http://apiconnector.com), autotype(0) (no xsi:type), encodingStyle('') (no SOAP-ENC attribute).
# Known quirks (all on the client side):
#   - SOAP::Schema only understands SOAP 1.1 (wsdl/soap/) bindings: parsing the
#     Secure_ApiService_Soap12 port yields no operations, so the 1.2 run uses the 1.1 port's
#     data (same URL, same actions).
#   - SOAP::Lite->soapversion is process-global and must be set BEFORE SOAP::Lite->new: setting it
#     on an existing object leaves the serializer with the 1.1 prefix map and it writes an
#     unqualified <Envelope>. The deserializer also resets it from every response envelope.
#   - SOAP 1.2 is sent as application/soap+xml with a separate SOAPAction header (no action=).
#   - SOM->faultstring/faultcode are hard-wired to the 1.1 paths (Fault/faultstring); for 1.2
#     faults they are undef and Fault/Reason/Text, Fault/Code/Value are read with valueof().
#   - HTTP Basic through LWP credentials for realm "dualgate": LWP sends them only after the 401
#     challenge (each challenge is a SOAP fault and is recorded too). When the retried request is
#     refused as well, LWP hands back the FIRST (credential-less) 401, so the wrong-password check
#     also looks at the response LWP saw for the request that carried the old password.
use v5.36;
use SOAP::Lite;
use URI;
use Time::Local qw(timegm);

my $NAME = 'soap-lite';
my ($V2, $T) = ('http://apiconnector.com/v2', 'http://apiconnector.com');
my ($URL, $WSDL, $OWNER, $OWNER_PW, $REC) =
  @ENV{qw(DUALGATE_URL DUALGATE_WSDL DUALGATE_OWNER_LOGIN DUALGATE_OWNER_PASSWORD DUALGATE_RECORD_DIR)};
my $failures = 0;

sub check($ok, $what, $detail = '') {
  print $ok ? "ok - $what\n" : "not ok - $what: $detail\n";
  $failures++ unless $ok;
  return $ok;
}
sub show($v) { defined $v ? "'$v'" : 'undef' }

# --- 1. WSDL import over HTTP ------------------------------------------------------------------
my $schema = SOAP::Schema->schema_url($WSDL)->parse('ApiService', 'Secure_ApiService');
my $OPS = $schema->services->{ApiService} // {};
my @want = qw(GetCurrentAccountInfo GetServerTime GetApiUsers GetApiUserById CreateApiUser
  UpdateApiUser SetApiUserPassword UnlockApiUser DeleteApiUser GetAuditEvents);
check(!(grep { !$OPS->{$_} } @want), 'soap11: SOAP::Schema imports the 10 operations of Secure_ApiService',
  join(',', sort keys %$OPS));
my $ENDPOINT = eval { $OPS->{GetServerTime}{endpoint}->value } // '';
check($ENDPOINT eq "$URL/v2/Api.svc", 'soap11: WSDL soap:address is the served endpoint', show($ENDPOINT));
check(!(grep { ($OPS->{$_}{namespace} // '') ne $V2
  || eval { $OPS->{$_}{soapaction}->value } ne "$V2/ApiService/$_" } @want),
  'soap11: WSDL gives namespace and soapAction of every operation');

# --- client and call helpers -------------------------------------------------------------------
my $hostport = URI->new($URL)->host_port;
my %seq;

sub client($ver, $login, $pw) {
  SOAP::Lite->soapversion($ver);    # global; must precede new() (see header)
  my $soap = SOAP::Lite->new(proxy => $ENDPOINT);
  $soap->default_ns($V2)->autotype(0)->readable(1);
  $soap->serializer->encodingStyle('');
  $soap->on_action(sub { $OPS->{ $_[1] }{soapaction}->value });
  $soap->transport->credentials($hostport, 'dualgate', $login, $pw);
  my $c = { soap => $soap, ver => $ver, got => [] };
  $soap->transport->add_handler(response_done => sub { push @{ $c->{got} }, $_[0]; return });
  return $c;
}

sub call($c, $op, @params) {
  SOAP::Lite->soapversion($c->{ver});
  @{ $c->{got} } = ();
  my $som = $c->{soap}->call($op, @params);
  # record every response body of this call, 401 challenges included
  (my $v = "soap$c->{ver}") =~ s/\.//;
  for my $r (@{ $c->{got} }) {
    my $file = sprintf '%s/%s-%s-%02d-%s.xml', $REC, $NAME, $v, ++$seq{$v}, $op;
    open my $fh, '>:raw', $file or die "$file: $!";
    print $fh $r->content;
    close $fh;
  }
  return $som;
}

sub v2($name, $value)   { SOAP::Data->name($name => $value)->uri($V2) }
sub apiuser(%f) {
  my @order = qw(Description Status Password ConfirmPassword);
  v2(apiUser => \SOAP::Data->value(map { SOAP::Data->name($_ => $f{$_})->uri($T) } grep { exists $f{$_} } @order));
}

# The fault's text: faultstring for 1.1, Reason/Text for 1.2 (SOM has no 1.2 accessor).
sub fault_text($c, $som) {
  return undef unless ref $som && $som->fault;
  return $c->{ver} eq '1.1' ? $som->faultstring : $som->valueof('//Fault/Reason/Text');
}
sub fault_code($c, $som) {
  return undef unless ref $som && $som->fault;
  return $c->{ver} eq '1.1' ? $som->faultcode : $som->valueof('//Fault/Code/Value');
}
sub error_code($c, $som) { my $t = fault_text($c, $som) // ''; ($t =~ /(\S+)\s*$/)[0] // '' }
sub no_fault($c, $som, $what) {
  check(ref $som && !$som->fault, $what, ref $som ? show(fault_text($c, $som)) : 'no SOM');
}
sub expect_fault($c, $som, $what, $code, $fcode, $http) {
  my $got = error_code($c, $som);
  check($got eq $code, "$what -> $code", 'fault text ' . show(fault_text($c, $som)));
  check((fault_code($c, $som) // '') =~ /(^|:)\Q$fcode\E$/, "$what: fault code is $fcode", show(fault_code($c, $som)));
  my $status = $c->{soap}->transport->status // '';
  check($status =~ /^$http\b/, "$what: HTTP $http", $status);
}

sub parse_utc($s) {
  return undef unless defined $s && $s =~ /^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(?:\.\d+)?(Z|[+-]\d\d:\d\d)$/;
  my $t = timegm($6, $5, $4, $3, $2 - 1, $1);
  if ($7 ne 'Z') { my ($sg, $h, $m) = $7 =~ /([+-])(\d\d):(\d\d)/; $t -= ($sg eq '+' ? 1 : -1) * ($h * 3600 + $m * 60) }
  return $t;
}

# --- 2-5. the lifecycle, once per SOAP version -------------------------------------------------
sub lifecycle($ver) {
  my $p = 'soap' . ($ver =~ s/\.//r) . ':';
  if ($ver eq '1.2') {
    # SOAP::Schema cannot read soap12 bindings (see header); the 1.1 port's data is the same.
    my $s12 = SOAP::Schema->schema_url($WSDL)->parse('ApiService', 'Secure_ApiService_Soap12');
    my $n = keys %{ $s12->services->{ApiService} // {} };
    print "ok - # SKIP $p SOAP::Schema import of port Secure_ApiService_Soap12: SOAP::Schema only reads SOAP 1.1 bindings ($n operations found); using the 1.1 port's endpoint and soapActions\n";
  }
  my $owner = client($ver, $OWNER, $OWNER_PW);
  my ($pw1, $pw2) = ('Interop-7kq!Zm2', 'Interop-9xw!Qr4');
  my $desc = "$NAME SOAP $ver interop " . time . "-$$";

  # CreateApiUser
  my $som = call($owner, 'CreateApiUser', apiuser(Description => $desc, Status => 'Enabled', Password => $pw1, ConfirmPassword => $pw1));
  no_fault($owner, $som, "$p CreateApiUser") or return;
  my $u = $som->valueof('//CreateApiUserResult') // {};
  my ($id, $email) = ($u->{Id} // 0, $u->{Email} // '');
  check($email =~ /^[^@]+\@apiconnector\.com$/, "$p CreateApiUser Email ends with \@apiconnector.com", show($email));
  check(($u->{Description} // '') eq $desc, "$p CreateApiUser Description as sent", show($u->{Description}));
  check(($u->{Status} // '') eq 'Enabled', "$p CreateApiUser Status is Enabled", show($u->{Status}));
  check($id =~ /^\d+$/ && $id > 0, "$p CreateApiUser Id > 0", show($id));

  # GetApiUsers paging
  $som = call($owner, 'GetApiUsers', v2(select => 1), v2(skip => 0));
  no_fault($owner, $som, "$p GetApiUsers(1,0)");
  my @page = $som->valueof('//GetApiUsersResult/ApiUser');
  check(@page == 1, "$p GetApiUsers select=1 skip=0 returns exactly one", scalar @page);
  $som = call($owner, 'GetApiUsers', v2(select => 1000), v2(skip => 0));
  no_fault($owner, $som, "$p GetApiUsers(1000,0)");
  @page = $som->valueof('//GetApiUsersResult/ApiUser');
  check((grep { ($_->{Id} // -1) == $id } @page) == 1, "$p GetApiUsers select=1000 contains id $id", scalar(@page) . ' users');
  $som = call($owner, 'GetApiUsers', v2(select => 10), v2(skip => 1_000_000));
  no_fault($owner, $som, "$p GetApiUsers(10,1000000)");
  @page = $som->valueof('//GetApiUsersResult/ApiUser');
  check(@page == 0, "$p GetApiUsers skip past the end returns none", scalar @page);

  # GetApiUserById
  $som = call($owner, 'GetApiUserById', v2(id => $id));
  no_fault($owner, $som, "$p GetApiUserById");
  $u = $som->valueof('//GetApiUserByIdResult') // {};
  check(($u->{Email} // '') eq $email && ($u->{Description} // '') eq $desc,
    "$p GetApiUserById same Email and Description", show($u->{Email}) . ' ' . show($u->{Description}));

  # UpdateApiUser: Description + Disabled, re-read, then back to Enabled
  my $desc2 = "$desc (updated)";
  $som = call($owner, 'UpdateApiUser', v2(id => $id), apiuser(Description => $desc2, Status => 'Disabled'));
  no_fault($owner, $som, "$p UpdateApiUser");
  $u = $som->valueof('//UpdateApiUserResult') // {};
  check(($u->{Description} // '') eq $desc2 && ($u->{Status} // '') eq 'Disabled',
    "$p UpdateApiUser response shows new Description and Disabled", show($u->{Description}) . ' ' . show($u->{Status}));
  $som = call($owner, 'GetApiUserById', v2(id => $id));
  $u = ref $som && $som->valueof('//GetApiUserByIdResult') || {};
  check(($u->{Description} // '') eq $desc2 && ($u->{Status} // '') eq 'Disabled',
    "$p re-read shows new Description and Disabled", show($u->{Description}) . ' ' . show($u->{Status}));
  $som = call($owner, 'UpdateApiUser', v2(id => $id), apiuser(Status => 'Enabled'));
  no_fault($owner, $som, "$p UpdateApiUser Status back to Enabled");
  $u = ref $som && $som->valueof('//UpdateApiUserResult') || {};
  check(($u->{Status} // '') eq 'Enabled' && ($u->{Description} // '') eq $desc2,
    "$p UpdateApiUser Status Enabled, Description kept", show($u->{Status}) . ' ' . show($u->{Description}));

  # SetApiUserPassword
  $som = call($owner, 'SetApiUserPassword', v2(id => $id), v2(password => $pw2), v2(confirmPassword => $pw2));
  no_fault($owner, $som, "$p SetApiUserPassword");

  # 3. as the API user with the new password
  my $api = client($ver, $email, $pw2);
  $som = call($api, 'GetCurrentAccountInfo');
  no_fault($api, $som, "$p GetCurrentAccountInfo as the API user");
  my $acct_id = ref $som ? $som->valueof('//GetCurrentAccountInfoResult/Id') : undef;
  my %props = map { (($_->{Name} // '') => $_->{Value}) }
    (ref $som ? $som->valueof('//GetCurrentAccountInfoResult/Properties/ApiAccountProperty') : ());
  check(defined $acct_id && $acct_id =~ /^\d+$/ && $acct_id > 0, "$p GetCurrentAccountInfo Id", show($acct_id));
  check(($props{ApiEndpoint} // '') eq "$URL/", "$p GetCurrentAccountInfo ApiEndpoint is $URL/", show($props{ApiEndpoint}));
  check(length($props{Name} // ''), "$p GetCurrentAccountInfo has a Name", show($props{Name}));
  $som = call($api, 'GetServerTime');
  no_fault($api, $som, "$p GetServerTime as the API user");
  my $st = ref $som ? $som->valueof('//GetServerTimeResult') : undef;
  my $t = parse_utc($st);
  check(defined $t && abs($t - time) < 300, "$p GetServerTime is close to now", show($st));

  # 4. faults
  my $old = client($ver, $email, $pw1);
  $som = call($old, 'GetServerTime');
  expect_fault($old, $som, "$p old password", 'ERROR_INVALID_LOGIN', $ver eq '1.1' ? 'Client' : 'Sender', 401);
  my $last = $old->{got}[-1];
  check($last && ($last->request->header('Authorization') // '') =~ /^Basic / && $last->code == 401
    && $last->content =~ /ERROR_INVALID_LOGIN</, "$p old password: the request carrying it got 401 ERROR_INVALID_LOGIN",
    $last ? $last->status_line : 'no response');
  $som = call($owner, 'GetApiUserById', v2(id => 999999999));
  expect_fault($owner, $som, "$p GetApiUserById(999999999)", 'ERROR_APIUSER_NOT_FOUND', $ver eq '1.1' ? 'Client' : 'Sender', 500);

  # 5. delete, then it is gone
  $som = call($owner, 'DeleteApiUser', v2(id => $id));
  no_fault($owner, $som, "$p DeleteApiUser");
  $som = call($owner, 'GetApiUserById', v2(id => $id));
  expect_fault($owner, $som, "$p GetApiUserById after delete", 'ERROR_APIUSER_NOT_FOUND', $ver eq '1.1' ? 'Client' : 'Sender', 500);
}

for my $ver ('1.1', '1.2') {
  eval { lifecycle($ver); 1 } or check(0, "soap${\($ver =~ s/\.//r)}: lifecycle ran", $@);
}
exit($failures ? 1 : 0);
