package dev.trainyard.server.common;

/** Stable machine codes of every error the API answers with; each kind fixes the HTTP status. */
public enum ErrorCode {
    VALIDATION_FAILED(Kind.INVALID),
    MALFORMED_REQUEST(Kind.INVALID),
    UNAUTHENTICATED(Kind.UNAUTHENTICATED),
    INSUFFICIENT_CREDITS(Kind.PAYMENT_REQUIRED),
    FORBIDDEN(Kind.DENIED),
    NOT_FOUND(Kind.NOT_FOUND),
    METHOD_NOT_ALLOWED(Kind.METHOD_NOT_ALLOWED),
    CONFLICT(Kind.CONFLICT),
    ALREADY_EXISTS(Kind.CONFLICT),
    TOO_LARGE(Kind.TOO_LARGE),
    RANGE_NOT_SATISFIABLE(Kind.RANGE_NOT_SATISFIABLE),
    UNSUPPORTED_MEDIA_TYPE(Kind.UNSUPPORTED_MEDIA_TYPE),
    RATE_LIMITED(Kind.RATE_LIMITED),
    UNAVAILABLE(Kind.UNAVAILABLE),
    INTERNAL_ERROR(Kind.INTERNAL);

    /** The category of an error; it decides the HTTP status. */
    public enum Kind {
        INVALID(400, "Bad Request"),
        UNAUTHENTICATED(401, "Unauthorized"),
        PAYMENT_REQUIRED(402, "Payment Required"),
        DENIED(403, "Forbidden"),
        NOT_FOUND(404, "Not Found"),
        METHOD_NOT_ALLOWED(405, "Method Not Allowed"),
        CONFLICT(409, "Conflict"),
        TOO_LARGE(413, "Content Too Large"),
        RANGE_NOT_SATISFIABLE(416, "Range Not Satisfiable"),
        UNSUPPORTED_MEDIA_TYPE(415, "Unsupported Media Type"),
        RATE_LIMITED(429, "Too Many Requests"),
        INTERNAL(500, "Internal Server Error"),
        UNAVAILABLE(503, "Service Unavailable");

        private final int status;
        private final String title;

        Kind(int status, String title) {
            this.status = status;
            this.title = title;
        }

        public int status() {
            return status;
        }

        public String title() {
            return title;
        }
    }

    private final Kind kind;

    ErrorCode(Kind kind) {
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }

    public String wireName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
