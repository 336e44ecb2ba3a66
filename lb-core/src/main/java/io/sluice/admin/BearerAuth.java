package io.sluice.admin;

import io.sluice.adminapi.ProblemType;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The bearer-token check of mutating calls (RFC 6750 §2.1 header form only).
 *
 * <p>Both tokens are hashed with SHA-256 before {@link MessageDigest#isEqual}, so the comparison
 * takes the same time whatever the presented token's length or first differing byte.
 */
final class BearerAuth {

    private static final String REALM = "Bearer realm=\"sluice\"";

    /** SHA-256 of the configured token, or null: every mutating call is refused. */
    private final byte[] expectedHash;

    BearerAuth(String tokenOrNull) {
        String token = tokenOrNull == null ? "" : tokenOrNull.strip();
        this.expectedHash = token.isEmpty() ? null : sha256(token);
    }

    boolean enabled() {
        return expectedHash != null;
    }

    /**
     * Returns if {@code authorization} (the header value, may be null) carries the token.
     *
     * @throws ApiProblem 401 with a WWW-Authenticate header otherwise
     */
    void check(String authorization) {
        if (expectedHash == null) {
            throw unauthorized("mutating calls are disabled: no admin.token-file is configured", REALM);
        }
        if (authorization == null || authorization.isBlank()) {
            throw unauthorized("this call needs an 'Authorization: Bearer <token>' header", REALM);
        }
        String value = authorization.strip();
        if (value.length() < 7 || !value.regionMatches(true, 0, "Bearer ", 0, 7)) {
            throw unauthorized("the Authorization header must use the Bearer scheme", REALM);
        }
        byte[] presented = sha256(value.substring(7).strip());
        if (!MessageDigest.isEqual(presented, expectedHash)) {
            throw unauthorized("wrong bearer token", REALM + ", error=\"invalid_token\"");
        }
    }

    private static ApiProblem unauthorized(String detail, String challenge) {
        return new ApiProblem(ProblemType.UNAUTHORIZED, detail).header("WWW-Authenticate", challenge);
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError("every JDK has SHA-256", e);
        }
    }
}
