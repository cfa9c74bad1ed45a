package dev.trainyard.server.dataset;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvParser;
import dev.trainyard.api.Dataset;
import dev.trainyard.api.Page;
import dev.trainyard.server.activity.ActivityLog;
import dev.trainyard.server.blob.BlobStore;
import dev.trainyard.server.common.Ids;
import dev.trainyard.server.common.PageRequest;
import dev.trainyard.server.common.Principal;
import dev.trainyard.server.common.TrainyardException;
import dev.trainyard.server.org.Memberships;
import dev.trainyard.server.project.ProjectRow;
import dev.trainyard.server.project.ProjectService;
import dev.trainyard.server.store.Database;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import org.jdbi.v3.core.Handle;

/**
 * A project's datasets: uploads streamed into the blob store (checksummed, renamed into place only
 * when complete), versions by name, downloads, and deletion unless an unfinished job reads it.
 */
public final class DatasetService {
    private static final int MAX_NAME = 200;
    private static final int MAX_HEADER_BYTES = 64 * 1024;

    private final Database database;
    private final BlobStore blobs;
    private final ObjectMapper mapper;
    private final Clock clock;
    private final long maxBytes;

    public DatasetService(Database database, BlobStore blobs, ObjectMapper mapper, Clock clock, long maxBytes) {
        this.database = database;
        this.blobs = blobs;
        this.mapper = mapper;
        this.clock = clock;
        this.maxBytes = maxBytes;
    }

    /** A dataset version and where its bytes are. */
    public record Content(Dataset dataset, Path path) {}

    /**
     * Streams {@code body} into a new version of dataset {@code name}. CSV (by {@code format}, the
     * name's extension or the content type) gets its header and row count.
     */
    public Dataset upload(
            Principal caller, String projectId, String name, String format, String contentType, InputStream body) {
        String label = validName(name);
        String kind = format(format, label, contentType);
        ProjectRow project = database.read(handle -> {
            ProjectService.Visible visible = ProjectService.visibleWithRole(handle, caller, projectId);
            Memberships.requireWriter(visible.role());
            return visible.project();
        });
        BlobStore.Stored<CsvShape> stored = blobs.upload(
                body, maxBytes, kind.equals("csv") ? new CsvScanner() : BlobStore.Scanner.none(), "a dataset");
        List<String> columns =
                stored.scanned() == null ? List.of() : header(stored.scanned().header());
        Long rows = stored.scanned() == null ? null : stored.scanned().rows();
        Instant now = clock.instant();
        for (int attempt = 0; ; attempt++) {
            try {
                return database.write(handle -> {
                    DatasetStore store = handle.attach(DatasetStore.class);
                    DatasetStore.DatasetRow row = new DatasetStore.DatasetRow(
                            Ids.newId("d"),
                            project.organizationId(),
                            project.id(),
                            label,
                            store.latestVersion(project.id(), label) + 1,
                            stored.sizeBytes(),
                            stored.sha256(),
                            kind,
                            json(columns),
                            rows,
                            caller.userId(),
                            now);
                    store.insert(row);
                    ActivityLog.record(
                            handle,
                            project.organizationId(),
                            project.id(),
                            caller.userId(),
                            "dataset.uploaded",
                            row.id() + " " + label + " v" + row.version(),
                            now);
                    return toApi(row);
                });
            } catch (RuntimeException e) {
                // Two uploads of one name at once: the later takes the next version.
                if (attempt >= 3 || !Database.isUniqueViolation(e)) {
                    throw e;
                }
            }
        }
    }

    public Page<Dataset> list(Principal caller, String projectId, PageRequest page) {
        return database.read(handle -> {
            ProjectRow project = ProjectService.visible(handle, caller, projectId);
            DatasetStore store = handle.attach(DatasetStore.class);
            List<Dataset> items = store.list(project.id(), page.skip(), page.take()).stream()
                    .map(this::toApi)
                    .toList();
            return new Page<>(items, store.count(project.id()), page.skip(), page.take());
        });
    }

    public Dataset get(Principal caller, String projectId, String datasetId) {
        return database.read(handle -> toApi(visible(handle, caller, projectId, datasetId)));
    }

    /** The dataset and its file, for a download. */
    public Content content(Principal caller, String projectId, String datasetId) {
        DatasetStore.DatasetRow row = database.read(handle -> visible(handle, caller, projectId, datasetId));
        return new Content(toApi(row), blobs.path(row.sha256()));
    }

    /** Deletes a version (its bytes too when no other version has them); 409 while a job reads it. */
    public void delete(Principal caller, String projectId, String datasetId) {
        String orphan = database.write(handle -> {
            DatasetStore.DatasetRow row = visible(handle, caller, projectId, datasetId);
            Memberships.requireWriter(handle, row.organizationId(), caller);
            DatasetStore store = handle.attach(DatasetStore.class);
            long using = store.unfinishedJobsUsing(row.id());
            if (using > 0) {
                throw TrainyardException.conflict(
                        "dataset " + row.id() + " is read by " + using + " unfinished job(s); delete it once they end");
            }
            store.delete(row.id());
            ActivityLog.record(
                    handle,
                    row.organizationId(),
                    row.projectId(),
                    caller.userId(),
                    "dataset.deleted",
                    row.id() + " " + row.name() + " v" + row.version(),
                    clock.instant());
            return store.countWithContent(row.sha256()) == 0 ? row.sha256() : null;
        });
        if (orphan != null) {
            try {
                blobs.delete(orphan);
            } catch (IOException e) {
                // The row is gone; an unreferenced blob only costs disk until it is stored again.
            }
        }
    }

    /** The datasets a job reads, with their files, in name order. */
    public List<Content> usedBy(String jobId) {
        return database.read(handle -> handle.attach(DatasetStore.class).usedBy(jobId)).stream()
                .map(row -> new Content(toApi(row), blobs.path(row.sha256())))
                .toList();
    }

    /** The variable that holds a dataset's path inside a job: its name upper-cased, others as '_'. */
    public static String environmentName(String datasetName) {
        return "TRAINYARD_DATASET_"
                + datasetName.toUpperCase(java.util.Locale.ROOT).replaceAll("[^A-Z0-9]", "_");
    }

    /** Checks that every id is a dataset of {@code organizationId}; 404 for any other. */
    public static void requireUsable(Handle handle, String organizationId, List<String> datasetIds) {
        DatasetStore store = handle.attach(DatasetStore.class);
        for (String id : datasetIds) {
            boolean usable = Ids.looksLike("d", id)
                    && store.findById(id)
                            .map(row -> row.organizationId().equals(organizationId))
                            .orElse(false);
            if (!usable) {
                throw TrainyardException.notFound("dataset", id);
            }
        }
    }

    private DatasetStore.DatasetRow visible(Handle handle, Principal caller, String projectId, String datasetId) {
        ProjectRow project = ProjectService.visible(handle, caller, projectId);
        if (!Ids.looksLike("d", datasetId)) {
            throw TrainyardException.notFound("dataset", datasetId);
        }
        return handle.attach(DatasetStore.class)
                .findById(datasetId)
                .filter(row -> row.projectId().equals(project.id()))
                .orElseThrow(() -> TrainyardException.notFound("dataset", datasetId));
    }

    private static String validName(String name) {
        String label = name == null ? "" : name.strip();
        if (label.isEmpty() || label.length() > MAX_NAME || label.chars().anyMatch(Character::isISOControl)) {
            throw TrainyardException.invalid(
                    "name", "is required: 1 to " + MAX_NAME + " characters without control characters");
        }
        return label;
    }

    private static String format(String format, String name, String contentType) {
        if (format != null && !format.isBlank()) {
            String asked = format.strip().toLowerCase(Locale.ROOT);
            if (!asked.equals("csv") && !asked.equals("binary")) {
                throw TrainyardException.invalid("format", "must be csv or binary");
            }
            return asked;
        }
        boolean csv = name.toLowerCase(Locale.ROOT).endsWith(".csv")
                || (contentType != null && contentType.toLowerCase(Locale.ROOT).startsWith("text/csv"));
        return csv ? "csv" : "binary";
    }

    /** The header fields of a CSV file's first line (quoted fields as RFC 4180 says). */
    private static List<String> header(byte[] firstLine) {
        if (firstLine.length == 0) {
            return List.of();
        }
        CsvMapper csv = new CsvMapper().enable(CsvParser.Feature.WRAP_AS_ARRAY);
        try (MappingIterator<List<String>> lines =
                csv.readerFor(new TypeReference<List<String>>() {}).readValues(firstLine)) {
            return lines.hasNext() ? List.copyOf(lines.next()) : List.of();
        } catch (IOException | RuntimeException e) {
            throw TrainyardException.invalid("body", "the CSV header cannot be read: " + e.getMessage());
        }
    }

    private Dataset toApi(DatasetStore.DatasetRow row) {
        List<String> columns;
        try {
            columns = mapper.readValue(row.columns(), new TypeReference<List<String>>() {});
        } catch (JsonProcessingException e) {
            columns = List.of();
        }
        return new Dataset(
                row.id(),
                row.name(),
                row.projectId(),
                row.version(),
                row.sizeBytes(),
                row.sha256(),
                row.format(),
                columns,
                row.rowCount(),
                row.createdBy(),
                row.createdAt());
    }

    private String json(Object value) {
        try {
            return mapper.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** What a CSV upload looks like: its first line and how many data rows follow it. */
    record CsvShape(byte[] header, long rows) {}

    /** Keeps the first line and counts line ends as the bytes stream past. */
    static final class CsvScanner implements BlobStore.Scanner<CsvShape> {
        private static final java.lang.invoke.VarHandle LONGS =
                java.lang.invoke.MethodHandles.byteArrayViewVarHandle(long[].class, java.nio.ByteOrder.LITTLE_ENDIAN);
        private static final long NEWLINES = 0x0A0A0A0A0A0A0A0AL;
        private static final long LOW_SEVEN = 0x7F7F7F7F7F7F7F7FL;

        private final ByteArrayOutputStream header = new ByteArrayOutputStream();
        private boolean headerDone;
        private long lineEnds;
        private int last = '\n';

        @Override
        public void accept(byte[] bytes, int length) {
            int i = 0;
            while (!headerDone && i < length) {
                byte b = bytes[i++];
                if (b == '\n') {
                    lineEnds++;
                    headerDone = true;
                } else if (header.size() < MAX_HEADER_BYTES && b != '\r') {
                    header.write(b);
                }
            }
            lineEnds += countNewlines(bytes, i, length);
            if (length > 0) {
                last = bytes[length - 1];
            }
        }

        /**
         * Line ends in {@code bytes[from, to)}, eight bytes at a time: for each long, the high bit of
         * every byte that equals '\n' (and only those) is set by the zero-byte test below.
         */
        static long countNewlines(byte[] bytes, int from, int to) {
            long count = 0;
            int i = from;
            for (; i + 8 <= to; i += 8) {
                long y = (long) LONGS.get(bytes, i) ^ NEWLINES;
                long zeroHighBits = ~(((y & LOW_SEVEN) + LOW_SEVEN) | y | LOW_SEVEN);
                count += Long.bitCount(zeroHighBits);
            }
            for (; i < to; i++) {
                if (bytes[i] == '\n') {
                    count++;
                }
            }
            return count;
        }

        @Override
        public CsvShape result() {
            long lines = lineEnds + (last != '\n' ? 1 : 0);
            return new CsvShape(header.toByteArray(), Math.max(0, lines - 1));
        }
    }
}
