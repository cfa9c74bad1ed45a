package dev.trainyard.client;

/**
 * An error answer from a Trainyard server (or a failure to reach it): the HTTP status, the stable
 * error {@code code} (e.g. {@code not_found}, {@code unauthenticated}), the message and the
 * request id to quote when reporting it.
 */
public final class TrainyardException extends RuntimeException {
    private final int status;
    private final String code;
    private final String requestId;

    public TrainyardException(int status, String code, String message, String requestId) {
        super(message);
        this.status = status;
        this.code = code;
        this.requestId = requestId;
    }

    public TrainyardException(String message, Throwable cause) {
        super(message, cause);
        this.status = 0;
        this.code = "connection_failed";
        this.requestId = null;
    }

    /** The HTTP status, or 0 when the server could not be reached. */
    public int status() {
        return status;
    }

    public String code() {
        return code;
    }

    public String requestId() {
        return requestId;
    }
}
