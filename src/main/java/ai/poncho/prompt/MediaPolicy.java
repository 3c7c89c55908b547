package ai.poncho.prompt;

import ai.poncho.config.PromptsConfig;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Which media URLs a rendered prompt may carry, so that a variable cannot point the model provider (or
 * anything fetching on the gateway's behalf) at internal addresses: allowed schemes only ({@code https}
 * and {@code data:image/*} by default), and no loopback, private, link-local (cloud metadata) or
 * otherwise internal host unless configured. Host names are not resolved; names that only exist
 * internally ({@code localhost}, {@code *.internal}, …) and numeric hosts in any odd notation are refused.
 */
final class MediaPolicy {

  private static final Pattern DOTTED_QUAD = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
  private static final Pattern NUMERIC_HOST = Pattern.compile("[0-9a-fx.]+");
  private static final Set<String> INTERNAL_NAMES = Set.of("localhost", "metadata", "metadata.google.internal");
  private static final List<String> INTERNAL_SUFFIXES = List.of(".localhost", ".internal", ".local", ".localdomain");

  private final List<String> schemes;
  private final List<String> dataTypes;
  private final boolean allowPrivateHosts;

  MediaPolicy(List<String> schemes, List<String> dataTypes, boolean allowPrivateHosts) {
    this.schemes = schemes;
    this.dataTypes = dataTypes;
    this.allowPrivateHosts = allowPrivateHosts;
  }

  static MediaPolicy of(PromptsConfig config) {
    return new MediaPolicy(config.mediaSchemes(), config.mediaDataTypes(), config.mediaAllowPrivateHosts());
  }

  /** The reason the URL is refused, or null when it is allowed. */
  String refusal(String url) {
    int colon = url.indexOf(':');
    String scheme = colon <= 0 ? "" : url.substring(0, colon).toLowerCase(Locale.ROOT);
    if (!schemes.contains(scheme)) {
      return "scheme '" + (scheme.isEmpty() ? "none" : scheme) + "' is not allowed (allowed: "
          + String.join(", ", schemes) + ")";
    }
    if (scheme.equals("data")) {
      return dataRefusal(url.substring(colon + 1));
    }
    URI uri;
    try {
      uri = new URI(url);
    } catch (URISyntaxException e) {
      return "it is not a valid URL";
    }
    String host = uri.getHost();
    if (host == null || host.isEmpty()) {
      return "it has no host";
    }
    return allowPrivateHosts ? null : hostRefusal(host.toLowerCase(Locale.ROOT));
  }

  private String dataRefusal(String rest) {
    int end = rest.indexOf(',');
    String header = end < 0 ? rest : rest.substring(0, end);
    String mime = header.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
    for (String allowed : dataTypes) {
      boolean matches = allowed.endsWith("/*") ? mime.startsWith(allowed.substring(0, allowed.length() - 1))
          : mime.equals(allowed);
      if (matches && end >= 0) {
        return null;
      }
    }
    return "data URLs must have one of the types " + String.join(", ", dataTypes) + " (got '" + mime + "')";
  }

  private static String hostRefusal(String host) {
    if (INTERNAL_NAMES.contains(host) || INTERNAL_SUFFIXES.stream().anyMatch(host::endsWith)) {
      return "host '" + host + "' is internal";
    }
    boolean ipv6 = host.startsWith("[");
    if (!ipv6 && !DOTTED_QUAD.matcher(host).matches()) {
      return NUMERIC_HOST.matcher(host).matches() && !host.matches(".*[g-z].*") && host.chars().anyMatch(
          Character::isDigit) ? "host '" + host + "' is a numeric address in an unusual notation" : null;
    }
    InetAddress address;
    try {
      // A literal address: no DNS lookup happens.
      address = InetAddress.getByName(ipv6 ? host.substring(1, host.length() - 1) : host);
    } catch (UnknownHostException e) {
      return "host '" + host + "' is not a valid address";
    }
    return internal(address) ? "host '" + host + "' is a private, loopback or link-local address" : null;
  }

  private static boolean internal(InetAddress address) {
    if (address.isLoopbackAddress() || address.isAnyLocalAddress() || address.isLinkLocalAddress()
        || address.isSiteLocalAddress() || address.isMulticastAddress()) {
      return true;
    }
    byte[] b = address.getAddress();
    if (address instanceof Inet6Address) {
      boolean uniqueLocal = (b[0] & 0xfe) == 0xfc;
      boolean mappedV4 = isMappedV4(b);
      return uniqueLocal || mappedV4;
    }
    int first = b[0] & 0xff;
    int second = b[1] & 0xff;
    boolean carrierNat = first == 100 && second >= 64 && second < 128;
    boolean reserved = first == 0 || first >= 240 || (first == 192 && second == 0 && (b[2] & 0xff) == 0)
        || (first == 198 && (second == 18 || second == 19));
    return carrierNat || reserved;
  }

  /** IPv4-mapped/compatible IPv6 addresses are refused outright: they are only a way around the checks. */
  private static boolean isMappedV4(byte[] b) {
    for (int i = 0; i < 10; i++) {
      if (b[i] != 0) {
        return false;
      }
    }
    return (b[10] == 0 && b[11] == 0) || (b[10] == (byte) 0xff && b[11] == (byte) 0xff);
  }
}
