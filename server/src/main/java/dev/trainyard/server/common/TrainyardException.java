package dev.trainyard.server.common;

import dev.trainyard.api.Problem.FieldError;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The one exception the server throws on purpose. Its code decides the HTTP status; its detail is
 * written for the caller and must never carry a secret or a stack trace.
 */
public final class TrainyardException extends RuntimeException {
    private final ErrorCode code;
    private final List<FieldError> fieldErrors;
    private final Map<String, Object> extensions;
    private final Duration retryAfter;

    private TrainyardException(
            ErrorCode code,
            String detail,
            List<FieldError> fieldErrors,
            Map<String, Object> extensions,
            Duration retryAfter) {
        super(detail, null, false, false);
        this.code = Objects.requireNonNull(code, "code");
        this.fieldErrors = List.copyOf(fieldErrors);
        this.extensions = Map.copyOf(extensions);
        this.retryAfter = retryAfter;
    }

    public static TrainyardException of(ErrorCode code, String detail) {
        return new TrainyardException(code, detail, List.of(), Map.of(), null);
    }

    public static TrainyardException notFound(String what, String id) {
        return of(ErrorCode.NOT_FOUND, what + " '" + id + "' was not found");
    }

    public static TrainyardException invalid(String field, String message) {
        return new TrainyardException(
                ErrorCode.VALIDATION_FAILED,
                field + ": " + message,
                List.of(new FieldError(field, message)),
                Map.of(),
                null);
    }

    public static TrainyardException invalid(List<FieldError> errors) {
        String detail = errors.stream()
                .map(error -> error.field() + ": " + error.message())
                .reduce((left, right) -> left + "; " + right)
                .orElse("the request is invalid");
        return new TrainyardException(ErrorCode.VALIDATION_FAILED, detail, errors, Map.of(), null);
    }

    public static TrainyardException unauthenticated(String detail) {
        return of(ErrorCode.UNAUTHENTICATED, detail);
    }

    public static TrainyardException forbidden(String detail) {
        return of(ErrorCode.FORBIDDEN, detail);
    }

    public static TrainyardException conflict(String detail) {
        return of(ErrorCode.CONFLICT, detail);
    }

    public static TrainyardException rateLimited(Duration retryAfter) {
        return new TrainyardException(
                ErrorCode.RATE_LIMITED,
                "too many attempts from this address; retry in " + Math.max(1, retryAfter.toSeconds()) + " s",
                List.of(),
                Map.of(),
                retryAfter);
    }

    /** A copy that also carries extra problem members (e.g. required and available amounts). */
    public TrainyardException with(Map<String, Object> moreExtensions) {
        return new TrainyardException(code, getMessage(), fieldErrors, moreExtensions, retryAfter);
    }

    public ErrorCode code() {
        return code;
    }

    public List<FieldError> fieldErrors() {
        return fieldErrors;
    }

    public Map<String, Object> extensions() {
        return extensions;
    }

    public Duration retryAfter() {
        return retryAfter;
    }
}
