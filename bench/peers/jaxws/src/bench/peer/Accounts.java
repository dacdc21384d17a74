package bench.peer;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/** The SQLite reads, on one connection per server thread with its statements prepared once. */
final class Accounts {
    /** The account of an API user, as read for one call. */
    record Account(long id, String name, String mainEmail, String locale, String timeZone) {}

    private final ThreadLocal<Statements> statements;

    Accounts(String path) {
        statements = ThreadLocal.withInitial(() -> new Statements("jdbc:sqlite:" + path));
    }

    /** The password hash of an enabled API user, or null. */
    String enabledHash(String login) throws SQLException {
        PreparedStatement hash = statements.get().hash;
        hash.setString(1, login);
        try (ResultSet row = hash.executeQuery()) {
            return row.next() ? row.getString(1) : null;
        }
    }

    Account accountOf(String login) throws SQLException {
        PreparedStatement account = statements.get().account;
        account.setString(1, login);
        try (ResultSet row = account.executeQuery()) {
            if (!row.next()) {
                return null;
            }
            return new Account(row.getLong(1), row.getString(2), row.getString(3),
                    row.getString(4), row.getString(5));
        }
    }

    private static final class Statements {
        final PreparedStatement hash;
        final PreparedStatement account;

        Statements(String url) {
            try {
                Connection connection = DriverManager.getConnection(url);
                hash = connection.prepareStatement(
                        "SELECT password_hash FROM api_users WHERE login = ? AND status = 'Enabled'");
                account = connection.prepareStatement(
                        "SELECT a.id, a.name, a.main_email, a.locale, a.time_zone"
                                + " FROM api_users u JOIN accounts a ON a.id = u.account_id"
                                + " WHERE u.login = ?");
            } catch (SQLException e) {
                throw new IllegalStateException("opening " + url, e);
            }
        }
    }
}
