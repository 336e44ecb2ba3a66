package io.sluice.cli;

import picocli.CommandLine;

/** A {@code POOL/BACKEND} argument, e.g. {@code chat/app-1}. */
record BackendRef(String pool, String backend) {

    @Override
    public String toString() {
        return pool + "/" + backend;
    }

    /** Picocli converter: {@code drain chat} (no backend) is a usage error, exit 2. */
    static final class Converter implements CommandLine.ITypeConverter<BackendRef> {
        @Override
        public BackendRef convert(String value) {
            int slash = value.indexOf('/');
            if (slash <= 0 || slash == value.length() - 1 || value.indexOf('/', slash + 1) >= 0) {
                throw new CommandLine.TypeConversionException(
                        "expected POOL/BACKEND (e.g. chat/app-1), got '" + value + "'");
            }
            return new BackendRef(value.substring(0, slash), value.substring(slash + 1));
        }
    }
}
