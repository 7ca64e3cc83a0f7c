package net.doublehop.protocol.sf;

import java.util.List;

/** An RFC 8941 §3.1.1 Inner List: items, each with parameters. */
public record InnerList(List<Member> items) {
    public InnerList {
        items = List.copyOf(items);
    }
}
