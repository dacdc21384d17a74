package bench.peer;

import com.sun.net.httpserver.BasicAuthenticator;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.concurrent.ConcurrentHashMap;
import org.mindrot.jbcrypt.BCrypt;

/**
 * HTTP Basic against the API user's bcrypt hash, read from SQLite on every call. A verified
 * credential is remembered (the SHA-256 of the password, with the hash it matched), so bcrypt
 * runs again only when the password or the stored hash changes.
 */
final class CachedBasicAuthenticator extends BasicAuthenticator {
    private record Verified(byte[] passwordDigest, String hash) {}

    private final Accounts accounts;
    private final ConcurrentHashMap<String, Verified> verified = new ConcurrentHashMap<>();

    CachedBasicAuthenticator(Accounts accounts) {
        super("dualgate peer", StandardCharsets.UTF_8);
        this.accounts = accounts;
    }

    @Override
    public boolean checkCredentials(String login, String password) {
        String hash;
        try {
            hash = accounts.enabledHash(login);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        if (hash == null) {
            return false;
        }
        byte[] digest = sha256(password);
        Verified known = verified.get(login);
        if (known != null && known.hash().equals(hash)
                && MessageDigest.isEqual(known.passwordDigest(), digest)) {
            return true;
        }
        if (!BCrypt.checkpw(password, jbcryptPrefix(hash))) {
            return false;
        }
        verified.put(login, new Verified(Arrays.copyOf(digest, digest.length), hash));
        return true;
    }

    /**
     * jBCrypt 0.4 knows only the {@code $2a$} prefix; dualgate writes {@code $2b$}, which is the
     * same algorithm except for passwords longer than 255 bytes.
     */
    private static String jbcryptPrefix(String hash) {
        return hash.startsWith("$2b$") ? "$2a$" + hash.substring(4) : hash;
    }

    private static byte[] sha256(String password) {
        try {
            return MessageDigest.getInstance("SHA-256")
                    .digest(password.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
