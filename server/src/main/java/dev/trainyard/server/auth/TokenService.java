package dev.trainyard.server.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.source.ImmutableJWKSet;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.DefaultJOSEObjectTypeVerifier;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import dev.trainyard.server.common.Ids;
import dev.trainyard.server.common.TrainyardException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Signs and verifies access tokens: ES256 JWTs with {@code kid}, {@code iss}, {@code aud} and
 * {@code exp}. The P-256 signing key is made on first start and kept in {@code DATA/keys}. Only
 * ES256 with that key is accepted: {@code alg: none}, HMAC and any other algorithm are refused.
 */
public final class TokenService {
    public static final String ISSUER = "trainyard";
    public static final String AUDIENCE = "trainyard-api";
    public static final String SCOPE_CLAIM = "scope";
    public static final String USER_SCOPE = "user";

    private static final int MAX_CACHED_TOKENS = 10_000;

    private final Map<String, JWTClaimsSet> verified = new ConcurrentHashMap<>();
    private final ECKey signingKey;
    private final ECDSASigner signer;
    private final DefaultJWTProcessor<SecurityContext> processor;
    private final Clock clock;
    private final Duration ttl;

    public TokenService(Path keysDir, Duration ttl, Clock clock) {
        this.signingKey = loadOrCreateKey(keysDir.resolve("jwt-signing-key.json"));
        this.ttl = ttl;
        this.clock = clock;
        try {
            this.signer = new ECDSASigner(signingKey);
        } catch (JOSEException e) {
            throw new IllegalStateException("the JWT signing key cannot sign", e);
        }
        this.processor = new DefaultJWTProcessor<>();
        processor.setJWSTypeVerifier(new DefaultJOSEObjectTypeVerifier<>(JOSEObjectType.JWT));
        processor.setJWSKeySelector(new JWSVerificationKeySelector<>(
                JWSAlgorithm.ES256, new ImmutableJWKSet<>(new JWKSet(signingKey.toPublicJWK()))));
        DefaultJWTClaimsVerifier<SecurityContext> claimsVerifier = new DefaultJWTClaimsVerifier<>(
                AUDIENCE,
                new JWTClaimsSet.Builder().issuer(ISSUER).build(),
                Set.of("sub", "exp", "iat", "jti", SCOPE_CLAIM));
        claimsVerifier.setMaxClockSkew(5);
        processor.setJWTClaimsSetVerifier(claimsVerifier);
    }

    /** An access token for a user, valid for the configured lifetime. */
    public IssuedToken issueUserToken(String userId) {
        return issue(userId, USER_SCOPE, ttl);
    }

    public IssuedToken issue(String subject, String scope, Duration lifetime) {
        Instant now = clock.instant();
        Instant expiresAt = now.plus(lifetime);
        JWTClaimsSet claims = new JWTClaimsSet.Builder()
                .issuer(ISSUER)
                .audience(AUDIENCE)
                .subject(subject)
                .issueTime(Date.from(now))
                .expirationTime(Date.from(expiresAt))
                .jwtID(Ids.newId("t"))
                .claim(SCOPE_CLAIM, scope)
                .build();
        JWSHeader header = new JWSHeader.Builder(JWSAlgorithm.ES256)
                .type(JOSEObjectType.JWT)
                .keyID(signingKey.getKeyID())
                .build();
        SignedJWT jwt = new SignedJWT(header, claims);
        try {
            jwt.sign(signer);
        } catch (JOSEException e) {
            throw new IllegalStateException("signing a token failed", e);
        }
        return new IssuedToken(jwt.serialize(), expiresAt);
    }

    /**
     * The verified claims of a token, or 401 for anything that is not a valid token of ours.
     * Verified tokens are remembered until they expire: an ES256 check costs about a millisecond of
     * CPU, and a token cannot be revoked before {@code exp} anyway.
     */
    public JWTClaimsSet verify(String token) {
        JWTClaimsSet cached = verified.get(token);
        if (cached != null
                && clock.instant().isBefore(cached.getExpirationTime().toInstant())) {
            return cached;
        }
        JWTClaimsSet claims;
        try {
            claims = processor.process(token, null);
        } catch (ParseException | BadJOSEException | JOSEException | RuntimeException e) {
            throw TrainyardException.unauthenticated("the access token is invalid or expired");
        }
        if (verified.size() >= MAX_CACHED_TOKENS) {
            Instant now = clock.instant();
            verified.values()
                    .removeIf(old -> !now.isBefore(old.getExpirationTime().toInstant()));
            if (verified.size() >= MAX_CACHED_TOKENS) {
                verified.clear();
            }
        }
        verified.put(token, claims);
        return claims;
    }

    public String keyId() {
        return signingKey.getKeyID();
    }

    /** A signed token and the moment it expires. */
    public record IssuedToken(String token, Instant expiresAt) {}

    private static ECKey loadOrCreateKey(Path file) {
        try {
            if (Files.exists(file)) {
                return ECKey.parse(Files.readString(file, StandardCharsets.UTF_8));
            }
            Files.createDirectories(file.getParent());
            restrict(file.getParent(), "rwx------");
            ECKey key = new ECKeyGenerator(Curve.P_256)
                    .keyUse(KeyUse.SIGNATURE)
                    .algorithm(JWSAlgorithm.ES256)
                    .keyIDFromThumbprint(true)
                    .generate();
            Path temporary = file.resolveSibling(file.getFileName() + ".tmp");
            Files.writeString(temporary, key.toJSONString(), StandardCharsets.UTF_8);
            restrict(temporary, "rw-------");
            Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE);
            return key;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read or write the JWT signing key at " + file, e);
        } catch (ParseException | JOSEException e) {
            throw new IllegalStateException("the JWT signing key at " + file + " is unreadable", e);
        }
    }

    static void restrict(Path path, String permissions) throws IOException {
        try {
            Files.setPosixFilePermissions(path, PosixFilePermissions.fromString(permissions));
        } catch (UnsupportedOperationException e) {
            // Not a POSIX file system: nothing finer to set.
        }
    }
}
