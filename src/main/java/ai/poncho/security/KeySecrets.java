package ai.poncho.security;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * Key material: new secrets {@code sk-poncho-<43 base62 characters>} (256 bits from a CSPRNG), ids, and the
 * SHA-256 hash that is all the store ever keeps. Hashes are compared in constant time.
 */
public final class KeySecrets {

  public static final String PREFIX = "sk-poncho-";
  /** 43 base62 characters carry 43 * log2(62) = 256 bits. */
  private static final int SECRET_CHARS = 43;
  private static final int ID_CHARS = 20;
  /** Shown in listings and logs instead of the key: the prefix plus this many characters of the secret. */
  public static final int HINT_CHARS = 8;
  private static final char[] BASE62 =
      "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".toCharArray();
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(() -> {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every JVM", e);
    }
  });

  private KeySecrets() {
  }

  public static String newSecret() {
    return PREFIX + base62(SECRET_CHARS);
  }

  public static String newId() {
    return "key_" + base62(ID_CHARS);
  }

  /** What may be shown of a key: {@code sk-poncho-AbCd1234}, never enough to use it. */
  public static String hint(String secret) {
    int end = Math.min(secret.length(), PREFIX.length() + HINT_CHARS);
    return secret.startsWith(PREFIX) ? secret.substring(0, end) : secret.substring(0, Math.min(4, secret.length()));
  }

  public static byte[] sha256(String secret) {
    return SHA256.get().digest(secret.getBytes(StandardCharsets.UTF_8));
  }

  public static String hash(String secret) {
    return HexFormat.of().formatHex(sha256(secret));
  }

  /** Constant-time comparison of two hex hashes. */
  public static boolean sameHash(String a, String b) {
    if (a == null || b == null) {
      return false;
    }
    return MessageDigest.isEqual(a.getBytes(StandardCharsets.US_ASCII), b.getBytes(StandardCharsets.US_ASCII));
  }

  /** Uniform base62 characters by rejection sampling (a plain modulo would favour the first characters). */
  private static String base62(int length) {
    StringBuilder out = new StringBuilder(length);
    byte[] buffer = new byte[length * 2];
    while (out.length() < length) {
      RANDOM.nextBytes(buffer);
      for (int i = 0; i < buffer.length && out.length() < length; i++) {
        int value = buffer[i] & 0xff;
        if (value < 248) {
          out.append(BASE62[value % 62]);
        }
      }
    }
    return out.toString();
  }
}
