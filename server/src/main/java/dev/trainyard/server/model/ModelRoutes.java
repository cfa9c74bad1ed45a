package dev.trainyard.server.model;

import dev.trainyard.api.CreateModelRequest;
import dev.trainyard.api.ExportModelRequest;
import dev.trainyard.api.Job;
import dev.trainyard.api.Model;
import dev.trainyard.api.ModelExport;
import dev.trainyard.api.PredictRequest;
import dev.trainyard.api.Predictions;
import dev.trainyard.api.TestModelRequest;
import dev.trainyard.api.TrainModelRequest;
import dev.trainyard.server.http.FileDownload;
import dev.trainyard.server.http.Route;
import java.util.ArrayList;
import java.util.List;

/** Models on the hosted cloud's paths ("ONE AI"): create, list, get, delete, train, predict. */
public final class ModelRoutes {
    private static final String TAG = "Models";
    private static final String BASE = "/api/oneai/projects/{projectId}/models";

    private final ModelService models;

    public ModelRoutes(ModelService models) {
        this.models = models;
    }

    public List<Route> routes() {
        List<Route> routes = new ArrayList<>();
        routes.add(Route.post(BASE)
                .tag(TAG)
                .summary("Create a model on a CSV dataset of the project")
                .body(CreateModelRequest.class)
                .returns(201, Model.class)
                .errors(400, 403, 404)
                .handle(call -> call.json(
                        201,
                        models.create(call.principal(), call.path("projectId"), call.body(CreateModelRequest.class)))));
        routes.add(Route.get(BASE)
                .tag(TAG)
                .summary("List a project's models, newest first")
                .paged()
                .returns(200, Route.pageOf(Model.class))
                .errors(404)
                .handle(call -> call.ok(models.list(call.principal(), call.path("projectId"), call.page()))));
        routes.add(Route.get(BASE + "/{modelId}")
                .tag(TAG)
                .summary("Get a model with its versions and their metrics")
                .returns(200, Model.class)
                .errors(404)
                .handle(call -> call.ok(models.get(call.principal(), call.path("projectId"), call.path("modelId")))));
        routes.add(Route.delete(BASE + "/{modelId}")
                .tag(TAG)
                .summary("Delete a model (409 while its jobs run)")
                .returns(204, null)
                .errors(403, 404, 409)
                .handle(call -> {
                    models.delete(call.principal(), call.path("projectId"), call.path("modelId"));
                    call.noContent();
                }));
        routes.add(Route.post(BASE + "/{modelId}/train")
                .tag(TAG)
                .summary("Train the model: 202 with the job that will make its next version")
                .description("The job runs the built-in trainer (Tribuo, no Python) like any job: queued, metered, "
                        + "logged, with progress per epoch and loss, accuracy or RMSE as metrics. It splits the "
                        + "dataset into train and test rows with a seed, and when it COMPLETES its model becomes "
                        + "the next version with its test metrics; a stopped or failed job makes no version.")
                .body(TrainModelRequest.class)
                .returns(202, Job.class)
                .errors(400, 402, 403, 404, 503)
                .handle(call -> call.json(
                        202,
                        models.train(
                                call.principal(),
                                call.path("projectId"),
                                call.path("modelId"),
                                call.context().bodyAsBytes().length == 0
                                        ? null
                                        : call.body(TrainModelRequest.class)))));
        routes.add(Route.post(BASE + "/{modelId}/test")
                .tag(TAG)
                .summary("Test a version: 202 with the job; the results land on the version")
                .description("Accuracy, macro F1 and the confusion matrix (classification) or RMSE, MAE and R² "
                        + "(regression), on all rows of the given dataset, or without one on the held-out rows of "
                        + "the model's own dataset. version: the latest when left out.")
                .body(TestModelRequest.class)
                .returns(202, Job.class)
                .errors(400, 402, 403, 404, 409, 503)
                .handle(call -> call.json(
                        202,
                        models.test(
                                call.principal(),
                                call.path("projectId"),
                                call.path("modelId"),
                                call.context().bodyAsBytes().length == 0 ? null : call.body(TestModelRequest.class)))));
        routes.add(Route.post(BASE + "/{modelId}/export")
                .tag(TAG)
                .summary("Export a version: 202 with the job; the export is then listed and downloadable")
                .description("format: onnx (linear models; loads in ONNX Runtime, input 'input' of the features in "
                        + "name order) or native (Tribuo's own format). version: the latest when left out.")
                .body(ExportModelRequest.class)
                .returns(202, Job.class)
                .errors(400, 402, 403, 404, 409, 503)
                .handle(call -> call.json(
                        202,
                        models.export(
                                call.principal(),
                                call.path("projectId"),
                                call.path("modelId"),
                                call.context().bodyAsBytes().length == 0
                                        ? null
                                        : call.body(ExportModelRequest.class)))));
        routes.add(Route.get(BASE + "/{modelId}/exports")
                .tag(TAG)
                .summary("A model's exports")
                .returns(200, ModelExport[].class)
                .errors(404)
                .handle(call ->
                        call.ok(models.exports(call.principal(), call.path("projectId"), call.path("modelId")))));
        routes.add(Route.get(BASE + "/{modelId}/exports/{exportName}")
                .tag(TAG)
                .summary("Download an export (Range requests answer 206)")
                .returns(200, byte[].class, "application/octet-stream")
                .errors(404, 416)
                .handle(call -> {
                    ModelService.ExportFile file = models.exportFile(
                            call.principal(), call.path("projectId"), call.path("modelId"), call.path("exportName"));
                    call.context()
                            .header(
                                    "Content-Disposition",
                                    "attachment; filename=\"" + file.export().name() + "\"")
                            .header("ETag", "\"" + file.export().sha256() + "\"");
                    FileDownload.send(
                            call,
                            file.path(),
                            file.export().sizeBytes(),
                            file.export().format().equals("onnx") ? "application/onnx" : "application/octet-stream");
                }));
        routes.add(Route.post(BASE + "/{modelId}/predict")
                .tag(TAG)
                .summary("Predict rows with the latest version (feature column -> number)")
                .body(PredictRequest.class)
                .returns(200, Predictions.class)
                .errors(400, 404, 409)
                .handle(call -> call.ok(models.predict(
                        call.principal(),
                        call.path("projectId"),
                        call.path("modelId"),
                        call.body(PredictRequest.class).rows()))));
        return routes;
    }
}
