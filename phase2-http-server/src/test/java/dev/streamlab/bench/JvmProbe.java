package dev.streamlab.bench;

import com.sun.tools.attach.VirtualMachine;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.util.Set;
import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;

/**
 * Reads a server JVM's cumulative heap allocation and GC counts from outside, with nothing added to the server.
 *
 * <p>How: the Attach API asks the target JVM to start its local management agent (a JMX connector that accepts
 * connections from this machine only), and we read two platform MXBeans through it:
 * <ul>
 *   <li>{@code java.lang:type=Threading} attribute {@code TotalThreadAllocatedBytes}
 *   ({@code com.sun.management.ThreadMXBean.getTotalThreadAllocatedBytes()}): every byte allocated in the heap by
 *   every thread since the JVM started, live or exited. Virtual threads allocate in their carrier thread's TLAB, so
 *   their allocations count there. Sampled before and after the measured window, the difference divided by the
 *   requests completed is "bytes allocated per request".</li>
 *   <li>{@code java.lang:type=GarbageCollector,name=*}: collection count and time.</li>
 * </ul>
 * The JMX calls themselves allocate a few kilobytes in the server per sample, negligible against thousands of
 * requests. The figure includes everything the server did in the window (HTTP parsing, headers, logging, metrics),
 * which is the point: it is the garbage one request costs.
 */
final class JvmProbe implements AutoCloseable {
    /**
     * @param allocatedBytes heap bytes allocated since the JVM started
     * @param gcCount        garbage collections so far (all collectors)
     * @param gcMillis       time in them so far
     */
    record Sample(long allocatedBytes, long gcCount, long gcMillis) {}

    private final JMXConnector connector;
    private final MBeanServerConnection mbeans;

    private JvmProbe(JMXConnector connector) throws IOException {
        this.connector = connector;
        this.mbeans = connector.getMBeanServerConnection();
    }

    /**
     * Attaches to the JVM with this process id (same user).
     *
     * @throws IOException when it cannot attach (another user, attach disabled, not a HotSpot JVM)
     */
    static JvmProbe attach(long pid) throws IOException {
        VirtualMachine vm;
        try {
            vm = VirtualMachine.attach(Long.toString(pid));
        } catch (com.sun.tools.attach.AttachNotSupportedException e) {
            throw new IOException("cannot attach to JVM " + pid + ": " + e.getMessage(), e);
        }
        try {
            String address = vm.startLocalManagementAgent();
            return new JvmProbe(JMXConnectorFactory.connect(new JMXServiceURL(address)));
        } finally {
            vm.detach();
        }
    }

    Sample sample() throws IOException {
        try {
            long allocated = (Long) mbeans.getAttribute(new ObjectName(ManagementFactory.THREAD_MXBEAN_NAME),
                    "TotalThreadAllocatedBytes");
            long count = 0;
            long millis = 0;
            Set<ObjectName> gcs = mbeans.queryNames(
                    new ObjectName(ManagementFactory.GARBAGE_COLLECTOR_MXBEAN_DOMAIN_TYPE + ",*"), null);
            for (ObjectName gc : gcs) {
                count += Math.max(0, (Long) mbeans.getAttribute(gc, "CollectionCount"));
                millis += Math.max(0, (Long) mbeans.getAttribute(gc, "CollectionTime"));
            }
            return new Sample(allocated, count, millis);
        } catch (IOException e) {
            throw e;
        } catch (Exception e) { // JMException subclasses: the MXBean or attribute is missing
            throw new IOException("cannot read the server JVM's MXBeans: " + e, e);
        }
    }

    @Override
    public void close() {
        try {
            connector.close();
        } catch (IOException e) {
            // the server is being stopped anyway
        }
    }
}
