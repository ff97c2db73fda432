package io.flowgate.dispatcher.delivery;

/** One of the dispatcher's consumer loops: started once the views are read, closed first on shutdown. */
public interface Consuming extends AutoCloseable {

    /** Starts reading. */
    void start();

    /** Stops reading; work in progress is read again by the next owner. */
    @Override
    void close();
}
