package io.sluice;

import io.sluice.command.SluiceCommand;

/** Entry point of {@code sluice.jar}; everything else is in {@link SluiceCommand}. */
public final class Main {

    private Main() {}

    public static void main(String[] args) {
        System.exit(SluiceCommand.execute(args));
    }
}
