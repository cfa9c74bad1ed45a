package dev.trainyard.server.http;

import dev.trainyard.server.common.Principal;

/** Turns the credentials of a request into a principal, or throws 401. */
@FunctionalInterface
public interface CallerResolver {
    /**
     * @param authorization the {@code Authorization} header, or null
     * @param apiKey the {@code X-API-KEY} header, or null
     */
    Principal resolve(String authorization, String apiKey);
}
