package io.sluice.packagerules;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.core.importer.Location;

/**
 * Reads only the classes from the directory (or jar) one class of a module was loaded from: that
 * module's compiled main classes, not its tests, not other modules, not libraries. ArchUnit builds an
 * import option from its class, so each module names its own in a subclass:
 * {@code static final class MainClassesOfThisModule extends MainClassesOf { MainClassesOfThisModule() { super(SluiceCtl.class); } }}.
 *
 * <p>Immutable; ArchUnit calls it from the thread that imports the classes.
 */
public abstract class MainClassesOf implements ImportOption {

    private final String root;

    protected MainClassesOf(Class<?> anchor) {
        this.root = anchor.getProtectionDomain().getCodeSource().getLocation().toString();
    }

    @Override
    public boolean includes(Location location) {
        return location.asURI().toString().startsWith(root);
    }
}
