package dev.trainyard.api;

import java.util.List;

/**
 * An error answer in RFC 9457 problem+json form, with a stable machine {@code code} and the id of
 * the request it answers.
 */
public record Problem(
        String type, String title, int status, String detail, String code, String requestId, List<FieldError> errors) {

    /** One invalid field of a request. */
    public record FieldError(String field, String message) {}
}
