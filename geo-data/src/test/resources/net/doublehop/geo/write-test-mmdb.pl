#!/usr/bin/perl
# Writes a small City-style MaxMind DB with MaxMind's own writer (Debian libmaxmind-db-writer-perl), so our
# reader is tested against files it did not write. usage: write-test-mmdb.pl OUT.mmdb RECORD_SIZE
use strict;
use warnings;
use MaxMind::DB::Writer::Tree;

my ($out, $record_size) = @ARGV;
my %types = (
    country => 'map', registered_country => 'map', iso_code => 'utf8_string', location => 'map',
    latitude => 'double', longitude => 'double', accuracy_radius => 'uint16', names => 'map', en => 'utf8_string',
    geoname_id => 'uint32',
);
my $tree = MaxMind::DB::Writer::Tree->new(
    ip_version => 6, record_size => $record_size, database_type => 'Doublehop-Test-City',
    languages => ['en'], description => { en => 'geo-data reader test' },
    map_key_type_callback => sub { $types{ $_[0] } },
    remove_reserved_networks => 0, alias_ipv6_to_ipv4 => 1,
);
my %tokyo = (country => { iso_code => 'JP', geoname_id => 1861060, names => { en => 'Japan' } },
             location => { latitude => 35.6812, longitude => 139.7671, accuracy_radius => 5 });
$tree->insert_network('127.0.10.0/24', \%tokyo);
$tree->insert_network('127.0.10.128/25', { country => { iso_code => 'JP' },
                                           location => { latitude => 34.6937, longitude => 135.5023 } });
$tree->insert_network('127.0.20.0/24', { country => { iso_code => 'GB' },
                                         location => { latitude => 51.5072, longitude => -0.1276 } });
$tree->insert_network('127.0.30.0/24', { registered_country => { iso_code => 'US' } });
$tree->insert_network('2001:db8::/32', { country => { iso_code => 'DE' },
                                         location => { latitude => 52.52, longitude => 13.405 } });
# Many more networks sharing one record, so the writer uses pointers into the data section.
for my $i (0 .. 255) {
    $tree->insert_network("10.$i.0.0/16", \%tokyo);
}
open my $fh, '>:raw', $out or die "cannot write $out: $!";
$tree->write_tree($fh);
close $fh;
