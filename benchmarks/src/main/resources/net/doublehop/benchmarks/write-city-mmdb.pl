#!/usr/bin/perl
# Writes a City-shaped MaxMind DB for MmdbLookupBenchmark with MaxMind's own writer (Debian
# libmaxmind-db-writer-perl, installed by scripts/install-test-deps.sh). The records have the keys and nesting of
# GeoIP2/GeoLite2 City (continent, country, registered_country, subdivisions, city, location, postal; names in
# eight languages), so a lookup decodes what a real City lookup decodes; the places are made up.
# usage: write-city-mmdb.pl OUT.mmdb NETWORKS CITIES
use strict;
use warnings;
use MaxMind::DB::Writer::Tree;

my ($out, $networks, $cities) = @ARGV;
my @languages = qw(de en es fr ja pt-BR ru zh-CN);
my %types = (
    city => 'map', continent => 'map', country => 'map', registered_country => 'map', location => 'map',
    postal => 'map', subdivisions => ['array', 'map'], names => 'map', geoname_id => 'uint32',
    iso_code => 'utf8_string', code => 'utf8_string', accuracy_radius => 'uint16', latitude => 'double',
    longitude => 'double', time_zone => 'utf8_string', map { $_ => 'utf8_string' } @languages,
);
my $tree = MaxMind::DB::Writer::Tree->new(
    ip_version => 6, record_size => 28, database_type => 'Doublehop-Benchmark-City',
    languages => \@languages, description => { en => 'geo-data lookup benchmark' },
    map_key_type_callback => sub { $types{ $_[0] } },
    remove_reserved_networks => 0, alias_ipv6_to_ipv4 => 1,
);
sub names { my ($base) = @_; return { map { $_ => "$base ($_)" } @languages }; }
my @countries = qw(JP GB US DE FR BR IN AU CA ZA);
my @records;
for my $c (0 .. $cities - 1) {
    my $cc = $countries[$c % @countries];
    my $country = { geoname_id => 1000 + $c % @countries, iso_code => $cc, names => names("Country $cc") };
    push @records, {
        continent => { code => 'XX', geoname_id => 6255000 + $c % 7, names => names('Continent') },
        country => $country, registered_country => $country,
        subdivisions => [{ geoname_id => 20000 + $c, iso_code => sprintf('S%02d', $c % 50),
                           names => names("Region $c") }],
        city => { geoname_id => 100000 + $c, names => names("City $c") },
        location => { accuracy_radius => 20 + $c % 200, latitude => -60 + ($c * 7.31) % 120,
                      longitude => -180 + ($c * 13.7) % 360, time_zone => 'Etc/UTC' },
        postal => { code => sprintf('%05d', $c) },
    };
}
# NETWORKS IPv4 /24s spread over 1.0.0.0-126.255.255.0 (one in every 8 /24s in order), each pointing at a city's
# record: the writer stores each record once and the networks point at it, as in real databases.
for my $i (0 .. $networks - 1) {
    my $n = $i * 8;
    my $a = 1 + int($n / 65536);
    die "too many networks\n" if $a > 126;
    $tree->insert_network(sprintf('%d.%d.%d.0/24', $a, int($n / 256) % 256, $n % 256), $records[$i % $cities]);
}
open my $fh, '>:raw', $out or die "cannot write $out: $!";
$tree->write_tree($fh);
close $fh;
