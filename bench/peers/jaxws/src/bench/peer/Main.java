package bench.peer;

import com.sun.net.httpserver.HttpContext;
import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.util.concurrent.Executors;
import javax.xml.ws.Endpoint;

/**
 * The JAX-WS peer: the JAX-WS RI endpoint published on the JDK's own HTTP server, behind the
 * server's container-managed HTTP Basic authentication, with a fixed pool of 16 threads.
 *
 * <p>Usage: {@code java -Dsun.net.httpserver.nodelay=true -Dcom.sun.xml.ws.monitoring.endpoint=false
 *  bench.peer.Main PORT DB PUBLIC_URL} (without nodelay the JDK server stalls about 44 ms an answer;
 * the monitoring switch spares a stack trace about gmbal classes Debian does not ship).
 */
public final class Main {
    private static final int THREADS = 16;

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        Accounts accounts = new Accounts(args[1]);
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 1024);
        server.setExecutor(Executors.newFixedThreadPool(THREADS));
        HttpContext context = server.createContext("/v2/Api.svc");
        context.setAuthenticator(new CachedBasicAuthenticator(accounts));
        Endpoint.create(new ApiService(accounts, args[2])).publish(context);
        server.start();
        System.out.println("jaxws peer listening on 127.0.0.1:" + port);
    }
}
