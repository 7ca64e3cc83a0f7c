package net.doublehop.client;

import java.util.List;
import java.util.Optional;
import net.doublehop.protocol.HeaderNames;
import net.doublehop.protocol.ProxyErrorType;
import net.doublehop.protocol.ProxyStatus;
import net.doublehop.runtime.nexthop.NextHopAnswer;

/** SOCKS5 reply codes (RFC 1928 §6) and what the hops' answers (status, RFC 9209 Proxy-Status) mean in them. */
final class Socks5Replies {

    static final int SUCCEEDED = 0x00;
    static final int GENERAL_FAILURE = 0x01;
    static final int NOT_ALLOWED = 0x02;
    static final int NETWORK_UNREACHABLE = 0x03;
    static final int HOST_UNREACHABLE = 0x04;
    static final int CONNECTION_REFUSED = 0x05;
    static final int TTL_EXPIRED = 0x06;
    static final int COMMAND_NOT_SUPPORTED = 0x07;
    static final int ADDRESS_TYPE_NOT_SUPPORTED = 0x08;

    private Socks5Replies() {
    }

    static int of(NextHopAnswer answer) {
        int status = answer.status();
        if (status / 100 == 2) {
            return SUCCEEDED;
        }
        Optional<ProxyErrorType> error = firstError(answer.header(HeaderNames.PROXY_STATUS));
        if (error.isPresent()) {
            switch (error.get()) {
                case CONNECTION_REFUSED -> {
                    return CONNECTION_REFUSED;
                }
                case DNS_ERROR, DNS_TIMEOUT, DESTINATION_NOT_FOUND, CONNECTION_TIMEOUT -> {
                    return HOST_UNREACHABLE;
                }
                case DESTINATION_IP_UNROUTABLE -> {
                    return NETWORK_UNREACHABLE;
                }
                case DESTINATION_IP_PROHIBITED, HTTP_REQUEST_DENIED -> {
                    return NOT_ALLOWED;
                }
                default -> { }
            }
        }
        return status == 403 || status == 407 ? NOT_ALLOWED : GENERAL_FAILURE;
    }

    /** The entry nearest the destination that names an error (entries are listed from the origin side, §2). */
    private static Optional<ProxyErrorType> firstError(String proxyStatus) {
        if (proxyStatus == null) {
            return Optional.empty();
        }
        try {
            List<ProxyStatus.Entry> entries = ProxyStatus.parse(proxyStatus);
            return entries.stream().map(ProxyStatus.Entry::error).flatMap(Optional::stream).findFirst();
        } catch (RuntimeException malformed) {
            return Optional.empty();
        }
    }
}
