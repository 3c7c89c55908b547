package ai.poncho.chat;

import java.util.concurrent.ThreadLocalRandom;

/** Random identifiers without the lock and entropy cost of {@code UUID.randomUUID()} on the hot path. */
public final class Ids {

  private Ids() {
  }

  public static String random(String prefix) {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    StringBuilder sb = new StringBuilder(prefix.length() + 24).append(prefix);
    appendHex(sb, random.nextLong());
    appendHex(sb, random.nextInt() & 0xffffffffL, 8);
    return sb.toString();
  }

  public static String requestId() {
    return random("req_");
  }

  public static String completionId() {
    return random("chatcmpl-");
  }

  private static void appendHex(StringBuilder sb, long value) {
    appendHex(sb, value, 16);
  }

  private static void appendHex(StringBuilder sb, long value, int digits) {
    for (int shift = (digits - 1) * 4; shift >= 0; shift -= 4) {
      sb.append(Character.forDigit((int) (value >>> shift) & 0xf, 16));
    }
  }
}
