package net.doublehop.benchmarks;

import java.security.GeneralSecurityException;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.PSSParameterSpec;
import java.util.List;
import java.util.concurrent.TimeUnit;
import net.doublehop.protocol.privacypass.Client;
import net.doublehop.protocol.privacypass.Issuer;
import net.doublehop.protocol.privacypass.PendingToken;
import net.doublehop.protocol.privacypass.PrivateTokenAuth;
import net.doublehop.protocol.privacypass.Token;
import net.doublehop.protocol.privacypass.TokenChallenge;
import net.doublehop.protocol.privacypass.TokenType;
import net.doublehop.protocol.privacypass.TokenVerifier;
import net.doublehop.protocol.privacypass.VerifiedToken;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Privacy Pass redemption (RFC 9577/9578, token type 2): the check both proxies run on a
 * {@code Proxy-Authorization: PrivateToken token=...} before a tunnel opens, an RSASSA-PSS (SHA-384) verification
 * with a 2048-bit issuer key. The token is minted once in setup with the production Issuer and Client, for the
 * challenge a proxy sends (empty redemption context and origin info, as PrivacyPassRedeemer builds it).
 *
 * <p>{@code jdkRsaPssVerifyOnly} is a reference, not production code: the JDK's own RSASSA-PSS verification of the
 * same authenticator, against which the project's BlindRsa.verify (BigInteger RSAVP1 + EMSA-PSS) can be judged.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class PrivacyPassBenchmark {

    Issuer issuer;
    TokenVerifier verifier;
    List<byte[]> acceptableDigests;
    Token token;
    String proxyAuthorization;

    @Setup
    public void setUp() throws GeneralSecurityException {
        SecureRandom random = new SecureRandom();
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        issuer = new Issuer((RSAPrivateCrtKey) generator.generateKeyPair().getPrivate(), random);
        TokenChallenge challenge = new TokenChallenge(TokenType.BLIND_RSA_2048, "issuer.example", new byte[0], "");
        Client client = new Client(issuer.publicKey(), random);
        PendingToken pending = client.request(challenge);
        token = client.finalizeToken(pending, issuer.issue(pending.request()));
        proxyAuthorization = PrivateTokenAuth.formatCredentials(token);
        verifier = new TokenVerifier(List.of(issuer.publicKey()));
        acceptableDigests = List.of(challenge.digest());
    }

    /** The verification alone: key lookup, challenge digest, RSASSA-PSS. */
    @Benchmark
    public VerifiedToken verifyToken() {
        return verifier.verify(token, acceptableDigests);
    }

    /** What PrivacyPassRedeemer.verify does per request: parse the header (base64url, token fields), then verify. */
    @Benchmark
    public VerifiedToken parseHeaderAndVerify() {
        return verifier.verify(PrivateTokenAuth.parseCredentials(proxyAuthorization), acceptableDigests);
    }

    /** Reference: the JDK's RSASSA-PSS (SHA-384, MGF1-SHA-384, salt 48) on the same authenticator. */
    @Benchmark
    public boolean jdkRsaPssVerifyOnly() throws GeneralSecurityException {
        Signature s = Signature.getInstance("RSASSA-PSS");
        s.setParameter(new PSSParameterSpec("SHA-384", "MGF1", MGF1ParameterSpec.SHA384, 48, 1));
        s.initVerify(issuer.publicKey().key());
        s.update(token.authenticatorInput());
        return s.verify(token.authenticator());
    }
}
