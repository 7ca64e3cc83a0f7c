package net.doublehop.geo;

import java.net.InetAddress;
import java.util.Optional;

/** Where an IP address is, as far as a data set knows: {@link CsvIpLocator}, {@link MmdbIpLocator}. */
public interface IpLocator {

    /** Empty when the data set has no entry for the address. */
    Optional<Location> locate(InetAddress address);
}
