package ai.poncho.ws;

/** The RFC 6455 close codes this API uses. */
final class CloseCodes {

  /** Server shutting down, or a peer that stopped answering pings. */
  static final short GOING_AWAY = 1001;
  /** A binary frame: the API speaks JSON text only. */
  static final short UNSUPPORTED_DATA = 1003;
  /** A text message that is not valid UTF-8. */
  static final short INVALID_PAYLOAD = 1007;
  /** Too many malformed frames on one socket. */
  static final short POLICY_VIOLATION = 1008;
  /** A frame or message over the configured size. */
  static final short MESSAGE_TOO_BIG = 1009;

  private CloseCodes() {
  }
}
