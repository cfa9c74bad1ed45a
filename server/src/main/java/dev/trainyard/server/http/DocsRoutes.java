package dev.trainyard.server.http;

import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * The API's own documents: the OpenAPI document at {@code /openapi.json} and Scalar's API
 * reference for it at {@code /docs}. Scalar's script is served from the classpath and the page
 * turns off everything of Scalar's that would reach another host (web fonts, telemetry, the
 * hosted client, the AI agent and MCP links), so the reference works on a server without
 * internet; a Content-Security-Policy holds the page to its own origin.
 */
public final class DocsRoutes {
    static final String DOCUMENT_PATH = "/openapi.json";
    static final String PAGE_PATH = "/docs";
    static final String SCRIPT_PATH = "/docs/scalar.js";

    private static final String TAG = "System";
    private static final String SCALAR_BUNDLE = "META-INF/resources/webjars/scalar/scalar.js";
    private static final String JAVASCRIPT = "application/javascript";
    private static final String HTML = "text/html";

    /**
     * Scalar's options: off is everything that would reach another host or link to one (web fonts,
     * telemetry, the hosted client's button, developer tools, the AI agent, MCP); typed-in
     * credentials stay out of the browser's storage.
     */
    private static final String INIT_SCRIPT = """
            Scalar.createApiReference('#app', {
              url: '%s',
              telemetry: false,
              withDefaultFonts: false,
              hideClientButton: true,
              showDeveloperTools: 'never',
              agent: { disabled: true },
              mcp: { disabled: true },
              persistAuth: false
            })
            """.formatted(DOCUMENT_PATH);

    private static final String PAGE = """
            <!doctype html>
            <html lang="en">
              <head>
                <meta charset="utf-8">
                <meta name="viewport" content="width=device-width, initial-scale=1">
                <title>Trainyard API reference</title>
              </head>
              <body>
                <div id="app"></div>
                <script src="%s"></script>
                <script>%s</script>
              </body>
            </html>
            """.formatted(SCRIPT_PATH, INIT_SCRIPT);

    // Scalar adds style elements and attributes at run time, hence 'unsafe-inline' for styles; the
    // one inline script is allowed by its hash.
    private static final String CONTENT_SECURITY_POLICY = "default-src 'self'; script-src 'self' 'sha256-"
            + Base64.getEncoder().encodeToString(sha256(INIT_SCRIPT.getBytes(StandardCharsets.UTF_8)))
            + "'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; font-src 'self' data:; "
            + "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'self'";

    private final ClasspathAsset script = new ClasspathAsset(SCALAR_BUNDLE);
    private final List<Route> routes;
    private final OpenApiDocument document;

    private DocsRoutes(List<Route> apiRoutes, String version) {
        this.routes = List.of(documentRoute(), pageRoute(), scriptRoute());
        List<Route> described = new ArrayList<>(apiRoutes);
        described.addAll(routes);
        this.document = new OpenApiDocument(described, version);
    }

    /** The routes of the documents; the OpenAPI document describes {@code apiRoutes} and these. */
    public static List<Route> routes(List<Route> apiRoutes) {
        // Copied now: the caller's list may be a view of the very list these routes are added to.
        return new DocsRoutes(List.copyOf(apiRoutes), version()).routes;
    }

    private Route documentRoute() {
        return Route.get(DOCUMENT_PATH)
                .access(Access.PUBLIC)
                .tag(TAG)
                .summary("This OpenAPI 3.1 document")
                .description("Describes every route of the server, this one included.")
                .returns(200, Map.class, "application/json")
                .handle(call -> call.context().contentType("application/json").result(document.json()));
    }

    private Route pageRoute() {
        return Route.get(PAGE_PATH)
                .access(Access.PUBLIC)
                .tag(TAG)
                .summary("The API reference: this document, readable in a browser")
                .description("Loads nothing from other hosts, so it works on servers without internet.")
                .returns(200, String.class, HTML)
                .handle(call -> call.context()
                        .header("Content-Security-Policy", CONTENT_SECURITY_POLICY)
                        .contentType(HTML + "; charset=utf-8")
                        .result(PAGE));
    }

    private Route scriptRoute() {
        return Route.get(SCRIPT_PATH)
                .access(Access.PUBLIC)
                .tag(TAG)
                .summary("The API reference's script (Scalar)")
                .description("Answers 304 Not Modified to a request whose If-None-Match holds the current ETag.")
                .returns(200, String.class, JAVASCRIPT)
                .handle(call -> script.serve(call.context(), JAVASCRIPT));
    }

    private static String version() {
        String version = DocsRoutes.class.getPackage().getImplementationVersion();
        return version == null ? "development build" : version;
    }

    private static byte[] sha256(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (NoSuchAlgorithmException impossible) {
            throw new IllegalStateException("every JVM has SHA-256", impossible);
        }
    }

    /**
     * A file from the classpath, read on first request (most starts never serve it) and kept, with
     * an ETag so that browsers revalidate their copy instead of downloading it again.
     */
    private static final class ClasspathAsset {
        private final String resource;
        private volatile Loaded loaded;

        ClasspathAsset(String resource) {
            this.resource = resource;
        }

        void serve(Context ctx, String contentType) {
            Loaded asset = load();
            // no-cache: a browser keeps the file but asks each time, so a server upgrade is seen at once.
            ctx.header("ETag", asset.etag()).header("Cache-Control", "no-cache");
            String ifNoneMatch = ctx.header("If-None-Match");
            if (ifNoneMatch != null
                    && (ifNoneMatch.contains(asset.etag()) || ifNoneMatch.trim().equals("*"))) {
                ctx.status(304);
                return;
            }
            ctx.contentType(contentType + "; charset=utf-8").result(asset.bytes());
        }

        private Loaded load() {
            Loaded asset = loaded;
            if (asset == null) {
                // Two first callers may both read it; they read the same bytes, so no lock is needed.
                byte[] bytes = read();
                asset = new Loaded(bytes, "\"" + HexFormat.of().formatHex(sha256(bytes), 0, 16) + "\"");
                loaded = asset;
            }
            return asset;
        }

        private byte[] read() {
            try (InputStream in = DocsRoutes.class.getClassLoader().getResourceAsStream(resource)) {
                if (in == null) {
                    throw new IllegalStateException(resource + " is not on the classpath (scalar-core is missing)");
                }
                return in.readAllBytes();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + resource, e);
            }
        }

        private record Loaded(byte[] bytes, String etag) {}
    }
}
