package io.sluice.logging;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.OutputStreamAppender;
import ch.qos.logback.core.UnsynchronizedAppenderBase;
import ch.qos.logback.core.spi.AppenderAttachable;
import ch.qos.logback.core.spi.AppenderAttachableImpl;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * An asynchronous appender for the access log that never makes the logging thread (an event loop)
 * wait or wake another thread: the event goes into a bounded queue (dropped when it is full), and
 * one writer thread takes what has gathered every {@code periodMillis} and passes it to the attached
 * appenders. Usable in a logback file in place of {@code AsyncAppender}:
 *
 * <pre>{@code
 * <appender name="ACCESS" class="io.sluice.logging.BatchingAppender">
 *   <queueSize>65536</queueSize>
 *   <periodMillis>50</periodMillis>
 *   <appender-ref ref="ACCESS_FILE"/>
 * </appender>
 * }</pre>
 *
 * <p>Why not logback's {@code AsyncAppender}: its writer thread sleeps in {@code take()} whenever
 * the queue is empty, so nearly every line wakes it, a futex system call on the event loop that
 * closed the connection, and two more in the writer (measured with {@code strace -c}: 1 on the
 * loop and about 3.5 in all per connection under connection churn; docs/performance.md). Here the
 * writer polls on a timer: offering to the queue never signals anyone (nobody waits on it), and
 * lines are written in batches. A line appears at most one period late.
 *
 * <p>An attached appender that writes to a stream (a {@code FileAppender}, say) flushes, one
 * {@code write(2)}, per line by default. With {@code <immediateFlush>false</immediateFlush>} on it,
 * it only fills its buffer, and this appender flushes it at the end of every batch: one write per
 * batch (or per buffer full), still at most one period late, and everything queued is written at
 * {@link #stop}. Such an appender must be fed by this appender alone (flushing it from the writer
 * thread is safe only because nothing else writes to it). The default configuration writes stdout
 * that way ({@link DefaultLogging}, {@link BatchOutputStream}).
 *
 * <p>Threads: {@link #append} on any thread (event loops); one writer thread of its own, which
 * alone touches the attached appenders after start.
 */
public final class BatchingAppender extends UnsynchronizedAppenderBase<ILoggingEvent>
        implements AppenderAttachable<ILoggingEvent> {

    /** Most events taken per pass; a pass also ends when the queue is empty. */
    private static final int BATCH = 1024;

    private final AppenderAttachableImpl<ILoggingEvent> appenders = new AppenderAttachableImpl<>();
    private int queueSize = 16384;
    private int periodMillis = 50;
    private ArrayBlockingQueue<ILoggingEvent> queue;
    private Thread writer;
    private volatile boolean stopping;
    /** Writer thread only: a flush failed and was reported. */
    private boolean flushFailing;

    public void setQueueSize(int queueSize) {
        this.queueSize = queueSize;
    }

    public void setPeriodMillis(int periodMillis) {
        this.periodMillis = periodMillis;
    }

    @Override
    public void start() {
        if (isStarted()) {
            return;
        }
        if (queueSize < 1 || periodMillis < 1) {
            addError("queueSize and periodMillis must be positive, got " + queueSize + " and " + periodMillis);
            return;
        }
        queue = new ArrayBlockingQueue<>(queueSize);
        stopping = false;
        writer = new Thread(this::writeLoop, "sluice-log-" + getName());
        writer.setDaemon(true);
        super.start();
        writer.start();
    }

    @Override
    public void stop() {
        if (!isStarted()) {
            return;
        }
        super.stop(); // no more appends
        stopping = true;
        LockSupport.unpark(writer);
        try {
            writer.join(TimeUnit.SECONDS.toMillis(2)); // it writes what is queued first
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        appenders.detachAndStopAllAppenders();
    }

    @Override
    protected void append(ILoggingEvent event) {
        // Formats the message and copies what the writer thread needs, as AsyncAppender does.
        event.prepareForDeferredProcessing();
        queue.offer(event); // full: the line is dropped rather than hold up the event loop
    }

    private void writeLoop() {
        List<ILoggingEvent> batch = new ArrayList<>(BATCH);
        while (true) {
            boolean last = stopping;
            boolean wrote = false;
            while (queue.drainTo(batch, BATCH) > 0) {
                for (ILoggingEvent e : batch) {
                    appenders.appendLoopOnAppenders(e);
                }
                batch.clear();
                wrote = true;
            }
            if (wrote) {
                flushAppenders();
            }
            if (last) {
                return;
            }
            LockSupport.parkNanos(this, TimeUnit.MILLISECONDS.toNanos(periodMillis));
        }
    }

    /**
     * Flushes the attached appenders that do not flush per event ({@code immediateFlush} false), so
     * their lines go out in one write per batch and still within the period. Only this thread writes
     * to them, so flushing their stream outside their lock races with nothing.
     */
    private void flushAppenders() {
        Iterator<Appender<ILoggingEvent>> it = appenders.iteratorForAppenders();
        while (it.hasNext()) {
            if (it.next() instanceof OutputStreamAppender<ILoggingEvent> out && out.isStarted() && !out.isImmediateFlush()) {
                try {
                    out.getOutputStream().flush();
                    flushFailing = false;
                } catch (IOException e) {
                    if (!flushFailing) { // once until a flush succeeds again, not once per batch
                        addError("could not write the access log through appender " + out.getName(), e);
                    }
                    flushFailing = true;
                }
            }
        }
    }

    @Override
    public void addAppender(Appender<ILoggingEvent> appender) {
        appenders.addAppender(appender);
    }

    @Override
    public Iterator<Appender<ILoggingEvent>> iteratorForAppenders() {
        return appenders.iteratorForAppenders();
    }

    @Override
    public Appender<ILoggingEvent> getAppender(String name) {
        return appenders.getAppender(name);
    }

    @Override
    public boolean isAttached(Appender<ILoggingEvent> appender) {
        return appenders.isAttached(appender);
    }

    @Override
    public void detachAndStopAllAppenders() {
        appenders.detachAndStopAllAppenders();
    }

    @Override
    public boolean detachAppender(Appender<ILoggingEvent> appender) {
        return appenders.detachAppender(appender);
    }

    @Override
    public boolean detachAppender(String name) {
        return appenders.detachAppender(name);
    }
}
