package ai.poncho.ws;

import java.util.List;

/**
 * What a client can present when opening the socket. Browsers cannot set headers on a WebSocket, so
 * besides {@code Authorization} a key may come as the {@code api_key} query parameter or as an offered
 * subprotocol {@code poncho.key.<key>} (offered next to {@link WsEndpoint#SUBPROTOCOL}).
 *
 * @param authorization the {@code Authorization} header, or null
 * @param queryKey      the {@code api_key} query parameter, or null
 * @param subprotocols  the offered {@code Sec-WebSocket-Protocol} values, in order
 * @param remoteAddress the peer's host address, for logging and rate decisions
 */
public record HandshakeCredentials(String authorization, String queryKey, List<String> subprotocols,
                                   String remoteAddress) {

  public static final String QUERY_KEY = "api_key";
  public static final String KEY_SUBPROTOCOL_PREFIX = "poncho.key.";

  public HandshakeCredentials {
    subprotocols = List.copyOf(subprotocols);
  }

  /** The key from whichever place the client used: header (Bearer), query, then subprotocol. */
  public String apiKey() {
    if (authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return authorization.substring(7).trim();
    }
    if (queryKey != null && !queryKey.isEmpty()) {
      return queryKey;
    }
    for (String protocol : subprotocols) {
      if (protocol.startsWith(KEY_SUBPROTOCOL_PREFIX)) {
        return protocol.substring(KEY_SUBPROTOCOL_PREFIX.length());
      }
    }
    return null;
  }
}
