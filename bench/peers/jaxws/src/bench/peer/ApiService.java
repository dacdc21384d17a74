package bench.peer;

import com.sun.net.httpserver.HttpPrincipal;
import java.sql.SQLException;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import javax.annotation.Resource;
import javax.jws.WebMethod;
import javax.jws.WebResult;
import javax.jws.WebService;
import javax.xml.ws.RequestWrapper;
import javax.xml.ws.ResponseWrapper;
import javax.xml.ws.WebServiceContext;

/** GetCurrentAccountInfo, document/literal wrapped, as dualgate's WSDL declares it. */
@WebService(serviceName = "ApiService", targetNamespace = ApiService.NS)
public class ApiService {
    static final String NS = "http://apiconnector.com/v2";
    /** dualgate's Flat limit: the peer counts calls but enforces no limit. */
    private static final long CALLS_PER_HOUR = 2000;

    @Resource
    private WebServiceContext context;

    private final Accounts accounts;
    private final String publicUrl;
    private final ConcurrentHashMap<String, AtomicLong> calls = new ConcurrentHashMap<>();

    public ApiService() {
        this(null, null);
    }

    ApiService(Accounts accounts, String publicUrl) {
        this.accounts = accounts;
        this.publicUrl = publicUrl;
    }

    @WebMethod(operationName = "GetCurrentAccountInfo",
            action = "http://apiconnector.com/v2/ApiService/GetCurrentAccountInfo")
    @WebResult(name = "GetCurrentAccountInfoResult", targetNamespace = NS)
    @RequestWrapper(localName = "GetCurrentAccountInfo", targetNamespace = NS,
            className = "bench.peer.jaxws.GetCurrentAccountInfo")
    @ResponseWrapper(localName = "GetCurrentAccountInfoResponse", targetNamespace = NS,
            className = "bench.peer.jaxws.GetCurrentAccountInfoResponse")
    public ApiAccount getCurrentAccountInfo() {
        // The JDK server's principal: getName() is "realm:login", getUsername() the login.
        String login = ((HttpPrincipal) context.getUserPrincipal()).getUsername();
        Accounts.Account account;
        try {
            account = accounts.accountOf(login);
        } catch (SQLException e) {
            // Unchecked, so it becomes a Server fault: a declared exception would need a fault
            // bean that Debian's JAX-WS RI cannot generate at run time either.
            throw new IllegalStateException("reading the account", e);
        }
        long made = calls.computeIfAbsent(login, l -> new AtomicLong()).incrementAndGet();
        return new ApiAccount(account.id(), List.of(
                ApiAccountProperty.string("Name", account.name()),
                ApiAccountProperty.string("MainEmail", account.mainEmail()),
                ApiAccountProperty.string("APILocale", account.locale()),
                ApiAccountProperty.string("TimeZoneIana", account.timeZone()),
                ApiAccountProperty.string("ApiEndpoint", publicUrl),
                ApiAccountProperty.integer("ApiCallsInLastHour", made),
                ApiAccountProperty.integer("ApiCallsRemaining", Math.max(0, CALLS_PER_HOUR - made))));
    }
}
