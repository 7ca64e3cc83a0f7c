package net.doublehop.protocol.ohttp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Round trips with each AEAD, several live keys, and every way a request or key list is refused. */
class ObliviousHttpTest {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final byte[] REQUEST = "a binary HTTP request".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] RESPONSE = "a binary HTTP response".getBytes(StandardCharsets.US_ASCII);

    private static final List<SymmetricAlgorithm> ALL = List.of(SymmetricAlgorithm.HKDF_SHA256_AES_128_GCM,
            SymmetricAlgorithm.HKDF_SHA256_AES_256_GCM, SymmetricAlgorithm.HKDF_SHA256_CHACHA20_POLY1305);

    @ParameterizedTest(name = "AEAD {0}")
    @ValueSource(ints = {1, 2, 3})
    void roundTripWithEachAead(int aeadId) throws OhttpException {
        GatewayKey key = GatewayKey.generate(7, ALL, RANDOM);
        ObliviousGateway gateway = new ObliviousGateway(List.of(key), RANDOM);
        SymmetricAlgorithm alg = new SymmetricAlgorithm(HpkeSuite.KDF_HKDF_SHA256, aeadId);
        ClientExchange client = ObliviousClient.encapsulate(key.config(), alg, REQUEST, null);
        GatewayExchange exchange = gateway.decapsulate(client.encapsulatedRequest());
        assertThat(exchange.request()).isEqualTo(REQUEST);
        byte[] encResponse = exchange.encapsulateResponse(RESPONSE);
        assertThat(encResponse).hasSize(ResponseKeys.nonceLength(aeadId) + RESPONSE.length + 16);
        assertThat(client.decapsulateResponse(encResponse)).isEqualTo(RESPONSE);
        byte[] tampered = encResponse.clone();
        tampered[tampered.length - 1] ^= 1;
        assertThatThrownBy(() -> client.decapsulateResponse(tampered)).isInstanceOf(OhttpException.class)
                .extracting(e -> ((OhttpException) e).reason()).isEqualTo(OhttpException.Reason.DECRYPTION_FAILED);
    }

    @Test
    void severalLiveKeysEachOpensItsOwn() throws OhttpException {
        GatewayKey old = GatewayKey.generate(1, GatewayKey.DEFAULT_ALGORITHMS, RANDOM);
        GatewayKey current = GatewayKey.generate(2, GatewayKey.DEFAULT_ALGORITHMS, RANDOM);
        ObliviousGateway gateway = new ObliviousGateway(List.of(current, old), RANDOM);
        List<KeyConfig> published = KeyConfig.decodeList(gateway.keyConfigs());
        assertThat(published).containsExactly(current.config(), old.config());
        for (KeyConfig config : published) {
            ClientExchange client = ObliviousClient.encapsulate(config, REQUEST);
            assertThat(gateway.decapsulate(client.encapsulatedRequest()).request()).isEqualTo(REQUEST);
        }
    }

    @Test
    void refusals() throws OhttpException {
        GatewayKey key = GatewayKey.generate(1, List.of(SymmetricAlgorithm.HKDF_SHA256_AES_128_GCM), RANDOM);
        ObliviousGateway gateway = new ObliviousGateway(List.of(key), RANDOM);
        byte[] good = ObliviousClient.encapsulate(key.config(), REQUEST).encapsulatedRequest();

        byte[] unknownKey = good.clone();
        unknownKey[0] = 9;
        assertReason(gateway, unknownKey, OhttpException.Reason.UNKNOWN_KEY);
        byte[] otherKem = good.clone();
        otherKem[2] = 0x10; // 0x0010 = DHKEM(P-256)
        assertReason(gateway, otherKem, OhttpException.Reason.UNKNOWN_KEY);
        byte[] chacha = good.clone();
        chacha[6] = 3; // not offered with this key
        assertReason(gateway, chacha, OhttpException.Reason.UNSUPPORTED_ALGORITHM);
        assertReason(gateway, Arrays.copyOf(good, 6), OhttpException.Reason.MALFORMED);
        assertReason(gateway, Arrays.copyOf(good, 7 + 32 + 15), OhttpException.Reason.MALFORMED);
        byte[] flipped = good.clone();
        flipped[good.length - 1] ^= 1;
        assertReason(gateway, flipped, OhttpException.Reason.DECRYPTION_FAILED);
        byte[] zeroEnc = good.clone();
        Arrays.fill(zeroEnc, 7, 39, (byte) 0); // the all-zero X25519 point: BouncyCastle refuses the agreement
        assertReason(gateway, zeroEnc, OhttpException.Reason.DECRYPTION_FAILED);
    }

    @Test
    void randomRequestsAreRefusedNeverThrownThrough() {
        GatewayKey key = GatewayKey.generate(0, GatewayKey.DEFAULT_ALGORITHMS, RANDOM);
        ObliviousGateway gateway = new ObliviousGateway(List.of(key), RANDOM);
        Random random = new Random(9458);
        for (int i = 0; i < 2_000; i++) {
            byte[] b = new byte[random.nextInt(100)];
            random.nextBytes(b);
            if (b.length > 7) {
                b[0] = 0;
                b[1] = 0;
                b[2] = 0x20;
                b[3] = 0;
                b[4] = 1;
                b[5] = 0;
                b[6] = (byte) (random.nextBoolean() ? 1 : 3);
            }
            assertThatThrownBy(() -> gateway.decapsulate(b)).isInstanceOf(OhttpException.class);
        }
    }

    @Test
    void keyListEncodingErrorsDiscardTheWholeList() throws OhttpException {
        GatewayKey a = GatewayKey.generate(1, GatewayKey.DEFAULT_ALGORITHMS, RANDOM);
        GatewayKey b = GatewayKey.generate(2, ALL, RANDOM);
        byte[] list = KeyConfig.encodeList(List.of(a.config(), b.config()));
        assertThat(KeyConfig.decodeList(list)).containsExactly(a.config(), b.config());
        int boundary = 2 + a.config().encode().length;
        assertThat(KeyConfig.decodeList(Arrays.copyOf(list, boundary))).containsExactly(a.config());
        for (int len = 0; len < list.length; len++) {
            if (len == boundary) {
                continue;
            }
            byte[] cut = Arrays.copyOf(list, len);
            assertThatThrownBy(() -> KeyConfig.decodeList(cut)).isInstanceOf(OhttpException.class);
        }
        byte[] badAlgLength = list.clone();
        badAlgLength[2 + 1 + 2 + 32 + 1] = 5; // 5 bytes of algorithms: not a multiple of 4
        assertThatThrownBy(() -> KeyConfig.decodeList(badAlgLength)).isInstanceOf(OhttpException.class);
    }

    @Test
    void pemRoundTripAndRefusals() {
        GatewayKey key = GatewayKey.generate(4, GatewayKey.DEFAULT_ALGORITHMS, RANDOM);
        String pem = key.toPem();
        assertThat(pem).startsWith("-----BEGIN PRIVATE KEY-----");
        assertThat(GatewayKey.fromPem(4, pem, GatewayKey.DEFAULT_ALGORITHMS).config()).isEqualTo(key.config());
        assertThat(key.toString()).doesNotContain(pem.substring(28, 60));
        assertThatThrownBy(() -> GatewayKey.fromPem(1, "nonsense", GatewayKey.DEFAULT_ALGORITHMS))
                .isInstanceOf(IllegalArgumentException.class);
        String ed25519 = "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEINTuctv5E1hK1bbY8fdp+K06/nwoy/HU++CXqI9EdVhC\n"
                + "-----END PRIVATE KEY-----\n";
        assertThatThrownBy(() -> GatewayKey.fromPem(1, ed25519, GatewayKey.DEFAULT_ALGORITHMS))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("X25519");
    }

    private static void assertReason(ObliviousGateway gateway, byte[] request, OhttpException.Reason reason) {
        assertThatThrownBy(() -> gateway.decapsulate(request)).isInstanceOf(OhttpException.class)
                .extracting(e -> ((OhttpException) e).reason()).isEqualTo(reason);
    }
}
