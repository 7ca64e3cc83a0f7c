package net.doublehop.protocol.signature;

/** The three header values of a signed geohash: {@code sec-ch-geohash}, {@code Signature-Input}, {@code Signature}. */
public record SignedGeohash(String geohash, String signatureInput, String signature) { }
