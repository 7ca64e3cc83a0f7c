package net.doublehop.runtime.service;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class NettyLogRedactionTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "[id: 0x55dec26c, L:/127.0.0.1:36061 - R:/127.0.0.10:47139] Maximum number 10000 reached"
                + "|[id: 0x55dec26c, L:/<address> - R:/<address>] Maximum number 10000 reached",
        "[id: 0x1, L:/[0:0:0:0:0:0:0:1]:443 - R:/[2001:db8::7]:5555] closed|[id: 0x1, L:/<address> - R:/<address>] closed",
        "Connection refused: /192.0.2.7:8080|Connection refused: /<address>",
        "refused: localhost/2001:db8::1 and fe80::1%eth0 and 0:0:0:0:0:0:0:1|refused: localhost/<address> and <address> and <address>",
        "version 4.2.18.Final at 10:53:03, 10000 frames, id 0x55dec26c|version 4.2.18.Final at 10:53:03, 10000 frames, id 0x55dec26c",
    })
    void addressesGoNumbersStay(String in, String out) {
        assertThat(NettyLogRedaction.redact(in)).isEqualTo(out);
    }
}
