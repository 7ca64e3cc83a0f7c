package net.doublehop.protocol.ohttp;

import static org.assertj.core.api.Assertions.assertThat;

import java.security.SecureRandom;
import java.util.List;
import net.doublehop.protocol.HexVectors;
import net.doublehop.protocol.bhttp.BinaryHttp;
import net.doublehop.protocol.bhttp.BinaryHttpRequest;
import net.doublehop.protocol.bhttp.BinaryHttpResponse;
import net.doublehop.protocol.bhttp.Framing;
import org.bouncycastle.crypto.hpke.HPKEContext;
import org.junit.jupiter.api.Test;

/**
 * RFC 9458 Appendix A, every published value byte for byte: the key configuration from the secret key,
 * the Encapsulated Request from the client's ephemeral key, the gateway's decapsulation, the response
 * keys (secret, salt, prk, key, nonce) and the Encapsulated Response from the published response_nonce.
 */
class Rfc9458AppendixATest {

    private static final HexVectors A = HexVectors.load(Rfc9458AppendixATest.class, "rfc9458-appendix-a.txt");

    private static GatewayKey gatewayKey() {
        return GatewayKey.fromPrivateKey(1, A.bytes("skR"), GatewayKey.DEFAULT_ALGORITHMS);
    }

    @Test
    void keyConfigurationFromTheSecretKey() throws OhttpException {
        assertThat(gatewayKey().config().encode()).isEqualTo(A.bytes("key_config"));
        KeyConfig decoded = KeyConfig.decode(A.bytes("key_config"));
        assertThat(decoded).isEqualTo(gatewayKey().config());
        assertThat(decoded.algorithms()).containsExactly(SymmetricAlgorithm.HKDF_SHA256_AES_128_GCM,
                SymmetricAlgorithm.HKDF_SHA256_CHACHA20_POLY1305);
    }

    @Test
    void theBinaryHttpMessagesAreTruncatedKnownLengthOnes() throws Exception {
        BinaryHttpRequest request = BinaryHttp.decodeRequest(A.bytes("request"));
        assertThat(request).isEqualTo(BinaryHttpRequest.of("GET", "https", "example.com", "/", List.of()));
        assertThat(BinaryHttp.encode(request, Framing.KNOWN_LENGTH, true, 0)).isEqualTo(A.bytes("request"));
        BinaryHttpResponse response = BinaryHttp.decodeResponse(A.bytes("response"));
        assertThat(response.status()).isEqualTo(200);
        assertThat(BinaryHttp.encode(response, Framing.KNOWN_LENGTH, true, 0)).isEqualTo(A.bytes("response"));
    }

    @Test
    void clientEncapsulatesTheRequestWithTheEphemeralKey() throws OhttpException {
        ClientExchange client = ObliviousClient.encapsulate(KeyConfig.decode(A.bytes("key_config")),
                SymmetricAlgorithm.HKDF_SHA256_AES_128_GCM, A.bytes("request"), A.bytes("skE"));
        assertThat(client.header().info()).isEqualTo(A.bytes("info"));
        assertThat(client.encapsulatedRequest()).isEqualTo(A.bytes("enc_request"));
        // the client opens the published response
        assertThat(client.decapsulateResponse(A.bytes("enc_response"))).isEqualTo(A.bytes("response"));
    }

    @Test
    void gatewayDecapsulatesAndAnswersWithThePublishedNonce() throws OhttpException {
        ObliviousGateway gateway = new ObliviousGateway(List.of(gatewayKey()), new SecureRandom());
        GatewayExchange exchange = gateway.decapsulate(A.bytes("enc_request"));
        assertThat(exchange.request()).isEqualTo(A.bytes("request"));
        byte[] salt = A.bytes("salt");
        byte[] responseNonce = java.util.Arrays.copyOfRange(salt, 32, salt.length);
        assertThat(exchange.encapsulateResponse(A.bytes("response"), responseNonce))
                .isEqualTo(A.bytes("enc_response"));
    }

    @Test
    void intermediateResponseValues() throws OhttpException {
        ObliviousGateway gateway = new ObliviousGateway(List.of(gatewayKey()), new SecureRandom());
        GatewayExchange exchange = gateway.decapsulate(A.bytes("enc_request"));
        HPKEContext context = exchange.context();
        assertThat(context.export("message/bhttp response".getBytes(), 16)).isEqualTo(A.bytes("secret"));
        byte[] prk = context.extract(A.bytes("salt"), A.bytes("secret"));
        assertThat(prk).isEqualTo(A.bytes("prk"));
        assertThat(context.expand(prk, "key".getBytes(), 16)).isEqualTo(A.bytes("aead_key"));
        assertThat(context.expand(prk, "nonce".getBytes(), 12)).isEqualTo(A.bytes("aead_nonce"));
    }

}
