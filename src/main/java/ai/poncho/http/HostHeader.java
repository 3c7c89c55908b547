package ai.poncho.http;

import io.netty.util.NetUtil;

/**
 * The syntax of a {@code Host} value, {@code uri-host [":" port]} (RFC 9110 §7.2 and RFC 3986 §3.2.2):
 * an IP-literal in brackets (IPv6 or IPvFuture), or a reg-name of unreserved, percent-encoded and
 * sub-delim characters (which covers IPv4), then optional digits for the port. An odd but valid value
 * such as {@code a..b} or {@code :80} passes.
 */
final class HostHeader {

  private HostHeader() {
  }

  static boolean valid(String value) {
    int end = value.length();
    int portStart;
    if (value.startsWith("[")) {
      int close = value.indexOf(']');
      if (close < 0 || !ipLiteral(value.substring(1, close))) {
        return false;
      }
      portStart = close + 1;
    } else {
      int colon = value.indexOf(':');
      portStart = colon < 0 ? end : colon;
      if (!regName(value, 0, portStart)) {
        return false;
      }
    }
    if (portStart == end) {
      return true;
    }
    if (value.charAt(portStart) != ':') {
      return false;
    }
    for (int i = portStart + 1; i < end; i++) {
      if (value.charAt(i) < '0' || value.charAt(i) > '9') {
        return false;
      }
    }
    return true;
  }

  private static boolean ipLiteral(String inside) {
    if (inside.length() > 1 && (inside.charAt(0) == 'v' || inside.charAt(0) == 'V')) {
      int dot = inside.indexOf('.');
      if (dot < 2 || dot == inside.length() - 1) {
        return false;
      }
      for (int i = 1; i < dot; i++) {
        if (Character.digit(inside.charAt(i), 16) < 0) {
          return false;
        }
      }
      for (int i = dot + 1; i < inside.length(); i++) {
        char c = inside.charAt(i);
        if (!unreserved(c) && !subDelim(c) && c != ':') {
          return false;
        }
      }
      return true;
    }
    return NetUtil.isValidIpV6Address(inside) && inside.indexOf('%') < 0;
  }

  private static boolean regName(String value, int from, int to) {
    for (int i = from; i < to; i++) {
      char c = value.charAt(i);
      if (c == '%') {
        if (i + 2 >= to || Character.digit(value.charAt(i + 1), 16) < 0
            || Character.digit(value.charAt(i + 2), 16) < 0) {
          return false;
        }
        i += 2;
      } else if (!unreserved(c) && !subDelim(c)) {
        return false;
      }
    }
    return true;
  }

  private static boolean unreserved(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
        || c == '-' || c == '.' || c == '_' || c == '~';
  }

  private static boolean subDelim(char c) {
    return "!$&'()*+,;=".indexOf(c) >= 0;
  }
}
