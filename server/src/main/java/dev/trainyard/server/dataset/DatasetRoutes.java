package dev.trainyard.server.dataset;

import dev.trainyard.api.Dataset;
import dev.trainyard.server.http.Call;
import dev.trainyard.server.http.FileDownload;
import dev.trainyard.server.http.Route;
import java.util.ArrayList;
import java.util.List;

/** A project's datasets: upload (streamed), list, get, download (with ranges), delete. */
public final class DatasetRoutes {
    private static final String TAG = "Datasets";
    private static final String BASE = "/api/projects/{projectId}/datasets";

    private final DatasetService datasets;

    public DatasetRoutes(DatasetService datasets) {
        this.datasets = datasets;
    }

    public List<Route> routes() {
        List<Route> routes = new ArrayList<>();
        routes.add(Route.post(BASE)
                .tag(TAG)
                .summary("Upload a dataset: the request body is the file, streamed (CSV first-class)")
                .description("Send the file's bytes as the body (any content type, e.g. text/csv or "
                        + "application/octet-stream) with ?name=. The name is a label, never a path; uploading a "
                        + "name again makes its next version. CSV (by format=csv, a .csv name or text/csv) gets its "
                        + "header as columns and its data rows counted. A multipart/form-data body works too: the "
                        + "part 'file' is the file, the field 'name' (or the file's name) its name. The bytes are "
                        + "checksummed (SHA-256) and "
                        + "kept only once complete: an interrupted upload leaves nothing. Larger than the server's "
                        + "dataset limit: 413.")
                .query("name", String.class, "The dataset's name (required).")
                .query("format", String.class, "csv or binary (default: from the name or content type).")
                .returns(201, Dataset.class)
                .errors(400, 403, 404, 413)
                .handle(this::upload));
        routes.add(Route.get(BASE)
                .tag(TAG)
                .summary("List a project's datasets, every version, by name")
                .paged()
                .returns(200, Route.pageOf(Dataset.class))
                .errors(404)
                .handle(call -> call.ok(datasets.list(call.principal(), call.path("projectId"), call.page()))));
        routes.add(Route.get(BASE + "/{datasetId}")
                .tag(TAG)
                .summary("Get a dataset version")
                .returns(200, Dataset.class)
                .errors(404)
                .handle(call ->
                        call.ok(datasets.get(call.principal(), call.path("projectId"), call.path("datasetId")))));
        routes.add(Route.get(BASE + "/{datasetId}/download")
                .tag(TAG)
                .summary("Download a dataset version's bytes (Content-Length; Range requests answer 206)")
                .returns(200, byte[].class, "application/octet-stream")
                .errors(404, 416)
                .handle(call -> {
                    DatasetService.Content content =
                            datasets.content(call.principal(), call.path("projectId"), call.path("datasetId"));
                    Dataset dataset = content.dataset();
                    call.context()
                            .header("Content-Disposition", "attachment; filename=\"" + fileName(dataset) + "\"")
                            .header("ETag", "\"" + dataset.sha256() + "\"");
                    FileDownload.send(
                            call,
                            content.path(),
                            dataset.sizeBytes(),
                            dataset.format().equals("csv") ? "text/csv" : "application/octet-stream");
                }));
        routes.add(Route.delete(BASE + "/{datasetId}")
                .tag(TAG)
                .summary("Delete a dataset version (409 while an unfinished job reads it)")
                .returns(204, null)
                .errors(403, 404, 409)
                .handle(call -> {
                    datasets.delete(call.principal(), call.path("projectId"), call.path("datasetId"));
                    call.noContent();
                }));
        return routes;
    }

    private void upload(Call call) throws Exception {
        var ctx = call.context();
        String contentType = ctx.contentType();
        if (contentType != null
                && contentType.toLowerCase(java.util.Locale.ROOT).startsWith("multipart/form-data")) {
            io.javalin.http.UploadedFile file = ctx.uploadedFile("file");
            if (file == null) {
                throw dev.trainyard.server.common.TrainyardException.invalid(
                        "file", "a multipart upload needs the file in a part named 'file'");
            }
            String name = call.query("name").orElseGet(() -> {
                String field = ctx.formParam("name");
                return field != null && !field.isBlank() ? field : file.filename();
            });
            try (java.io.InputStream content = file.content()) {
                call.json(
                        201,
                        datasets.upload(
                                call.principal(),
                                call.path("projectId"),
                                name,
                                call.query("format").orElse(null),
                                file.contentType(),
                                content));
            }
            return;
        }
        call.json(
                201,
                datasets.upload(
                        call.principal(),
                        call.path("projectId"),
                        call.query("name").orElse(null),
                        call.query("format").orElse(null),
                        contentType,
                        ctx.bodyInputStream()));
    }

    /** A safe download file name from the label: letters, digits, '.', '_' and '-' only. */
    public static String fileName(Dataset dataset) {
        String base = dataset.name().replaceAll("[^A-Za-z0-9._-]", "_").replaceAll("^\\.+", "_");
        return base.isEmpty() ? dataset.id() : base;
    }
}
