package io.sluice.handover;

/** A handover could not go on; the message is for the operator as is. */
public final class HandoverException extends Exception {

    public HandoverException(String message) {
        super(message);
    }

    public HandoverException(String message, Throwable cause) {
        super(message, cause);
    }
}
