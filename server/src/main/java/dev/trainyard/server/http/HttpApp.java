package dev.trainyard.server.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.trainyard.api.Problem;
import dev.trainyard.server.common.ErrorCode;
import dev.trainyard.server.common.Principal;
import dev.trainyard.server.common.TrainyardException;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import io.javalin.json.JavalinJackson;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.component.LifeCycle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP side of the server: registers the route table with Javalin, gives every request an
 * id, authenticates callers before a route runs, times requests, and turns every failure into a
 * problem+json answer. The only place that knows HTTP.
 */
public final class HttpApp {
    private static final int ACCEPT_QUEUE = 1024;
    public static final String REQUEST_ID_HEADER = "X-Request-Id";
    public static final String PROBLEM_JSON = "application/problem+json";

    private static final Logger LOG = LoggerFactory.getLogger(HttpApp.class);
    private static final Pattern SAFE_REQUEST_ID = Pattern.compile("[A-Za-z0-9._-]{8,64}");
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final String REQUEST_ID = "trainyard.requestId";
    private static final String ROUTE = "trainyard.route";
    private static final String STARTED = "trainyard.startedNanos";

    private final Javalin javalin;

    private HttpApp(Javalin javalin) {
        this.javalin = javalin;
    }

    /**
     * Creates (but does not start) the app.
     *
     * @param onHandlerAdded told of every handler Javalin registers, so a test can compare the
     *     registered routes with the document
     */
    public static HttpApp create(
            List<Route> routes,
            CallerResolver callers,
            ObjectMapper mapper,
            MeterRegistry meters,
            long maxRequestBytes,
            Consumer<String> onHandlerAdded) {
        Javalin javalin = Javalin.create(config -> {
            config.startup.showJavalinBanner = false;
            config.startup.showOldJavalinVersionWarning = false;
            config.concurrency.useVirtualThreads = true;
            config.http.maxRequestSize = maxRequestBytes;
            config.http.prefer405over404 = true;
            // A burst of new connections (a client submitting hundreds of jobs at once) must queue,
            // not be refused: Java's default accept backlog is 50.
            config.jetty.modifyServer(server -> server.addEventListener(new LifeCycle.Listener() {
                @Override
                public void lifeCycleStarting(LifeCycle event) {
                    for (Connector connector : server.getConnectors()) {
                        if (connector instanceof ServerConnector serverConnector) {
                            serverConnector.setAcceptQueueSize(ACCEPT_QUEUE);
                        }
                    }
                }
            }));
            config.jsonMapper(new JavalinJackson(mapper, true));
            config.events.handlerAdded(info -> onHandlerAdded.accept(info.getHttpMethod() + " " + info.getPath()));

            config.routes.before(ctx -> {
                ctx.attribute(STARTED, System.nanoTime());
                String requestId = requestIdFor(ctx.header(REQUEST_ID_HEADER));
                ctx.attribute(REQUEST_ID, requestId);
                ctx.header(REQUEST_ID_HEADER, requestId);
            });
            for (Route route : routes) {
                config.routes.addHttpHandler(route.method(), route.path(), ctx -> {
                    ctx.attribute(ROUTE, route.path());
                    Principal principal = route.access() == Access.PUBLIC
                            ? null
                            : callers.resolve(ctx.header("Authorization"), ctx.header("X-API-KEY"));
                    if (principal != null && principal.isJob() && route.access() != Access.JOB) {
                        throw TrainyardException.forbidden("a job token can only report on its own job");
                    }
                    if (route.access() == Access.ADMIN && !principal.admin()) {
                        throw TrainyardException.forbidden("this route is for administrators");
                    }
                    route.handler().handle(new Call(ctx, principal, mapper));
                });
            }
            config.routes.after(ctx -> record(ctx, meters));

            config.routes.exception(TrainyardException.class, (e, ctx) -> writeProblem(ctx, e, mapper));
            config.routes.exception(
                    HttpResponseException.class, (e, ctx) -> writeProblem(ctx, translate(e, ctx), mapper));
            config.routes.exception(Exception.class, (e, ctx) -> {
                LOG.error("request {} {} {} failed", requestId(ctx), ctx.method(), ctx.path(), e);
                writeProblem(
                        ctx,
                        TrainyardException.of(
                                ErrorCode.INTERNAL_ERROR,
                                "the server failed to answer; quote request id " + requestId(ctx)
                                        + " when reporting it"),
                        mapper);
            });
            config.routes.error(404, ctx -> {
                if (!isProblem(ctx)) {
                    writeProblem(
                            ctx,
                            TrainyardException.of(ErrorCode.NOT_FOUND, "no route " + ctx.method() + " " + ctx.path()),
                            mapper);
                }
            });
            config.routes.error(405, ctx -> {
                if (!isProblem(ctx)) {
                    writeProblem(
                            ctx,
                            TrainyardException.of(
                                    ErrorCode.METHOD_NOT_ALLOWED, ctx.method() + " is not allowed on " + ctx.path()),
                            mapper);
                }
            });
        });
        return new HttpApp(javalin);
    }

    public HttpApp start(String host, int port) {
        javalin.start(host, port);
        return this;
    }

    public int port() {
        return javalin.port();
    }

    public void stop() {
        javalin.stop();
    }

    public static String requestId(Context ctx) {
        String id = ctx.attribute(REQUEST_ID);
        return id == null ? "unknown" : id;
    }

    private static boolean isProblem(Context ctx) {
        String contentType = ctx.res().getContentType();
        return contentType != null && contentType.startsWith(PROBLEM_JSON);
    }

    private static void writeProblem(Context ctx, TrainyardException e, ObjectMapper mapper) {
        ErrorCode.Kind kind = e.code().kind();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("type", "https://trainyard.dev/problems/" + e.code().wireName().replace('_', '-'));
        body.put("title", kind.title());
        body.put("status", kind.status());
        body.put("detail", e.getMessage());
        body.put("code", e.code().wireName());
        body.put("request_id", requestId(ctx));
        if (!e.fieldErrors().isEmpty()) {
            body.put("errors", e.fieldErrors().stream().map(HttpApp::fieldError).toList());
        }
        body.putAll(e.extensions());
        if (e.retryAfter() != null) {
            ctx.header("Retry-After", Long.toString(Math.max(1, (e.retryAfter().toMillis() + 999) / 1000)));
        }
        if (kind.status() == 401) {
            ctx.header("WWW-Authenticate", "Bearer realm=\"trainyard\"");
        }
        try {
            ctx.status(kind.status()).contentType(PROBLEM_JSON).result(mapper.writeValueAsBytes(body));
        } catch (com.fasterxml.jackson.core.JsonProcessingException impossible) {
            ctx.status(500).result("{\"status\":500}");
        }
    }

    private static Map<String, String> fieldError(Problem.FieldError error) {
        Map<String, String> map = new LinkedHashMap<>();
        map.put("field", error.field());
        map.put("message", error.message());
        return map;
    }

    /** Javalin's own refusals (no route, body too large, bad request) in our vocabulary. */
    private static TrainyardException translate(HttpResponseException e, Context ctx) {
        return switch (e.getStatus()) {
            case 404 -> TrainyardException.of(ErrorCode.NOT_FOUND, "no route " + ctx.method() + " " + ctx.path());
            case 405 ->
                TrainyardException.of(ErrorCode.METHOD_NOT_ALLOWED, ctx.method() + " is not allowed on " + ctx.path());
            case 413 -> TrainyardException.of(ErrorCode.TOO_LARGE, "the request body is too large");
            case 415 -> TrainyardException.of(ErrorCode.UNSUPPORTED_MEDIA_TYPE, "unsupported content type");
            case 401 -> TrainyardException.unauthenticated("credentials are required");
            case 403 -> TrainyardException.forbidden("not allowed");
            default ->
                e.getStatus() >= 500
                        ? TrainyardException.of(ErrorCode.INTERNAL_ERROR, "the server failed to answer")
                        : TrainyardException.of(ErrorCode.MALFORMED_REQUEST, "the request could not be understood");
        };
    }

    private static void record(Context ctx, MeterRegistry meters) {
        Long started = ctx.attribute(STARTED);
        if (started == null) {
            return;
        }
        String route = ctx.attribute(ROUTE);
        Timer.builder("http.server.requests")
                .description("HTTP requests by route, method and status")
                .tag("method", ctx.method().name())
                .tag("route", route == null ? "unmatched" : route)
                .tag("status", Integer.toString(ctx.statusCode()))
                .publishPercentileHistogram(false)
                .register(meters)
                .record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
    }

    private static String requestIdFor(String incoming) {
        if (incoming != null && SAFE_REQUEST_ID.matcher(incoming).matches()) {
            return incoming;
        }
        byte[] bytes = new byte[8];
        RANDOM.nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }
}
