package io.sluice.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;
import picocli.CommandLine.Spec;

/**
 * {@code sluicectl generate-completion}: Picocli's bash/zsh script for the commands and flags, plus a
 * wrapper that completes pool and backend names by asking the running daemon
 * ({@code sluicectl __complete}, {@link CompleteCommand}, at most a second per tab press). Which
 * arguments name a pool or a backend is read from the command model (the {@code POOL} and
 * {@code POOL/BACKEND} parameters, the {@code --pool} and {@code --backend} options), so a new
 * command gets names without touching the script. Runs on the main thread.
 */
@Command(name = "generate-completion", mixinStandardHelpOptions = true,
        description = {"Print a bash/zsh completion script for sluicectl, with pool and backend names taken from"
                + " the running daemon.", "Run `source <(sluicectl generate-completion)` in your shell."})
final class CompletionCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        CommandLine root = spec.root().commandLine();
        String script = AutoComplete.bash(root.getCommandName(), root);
        spec.commandLine().getOut().print(script);
        spec.commandLine().getOut().print(names(spec.root()));
        spec.commandLine().getOut().flush();
        return ExitCodes.OK;
    }

    /** The bash wrapper: names where the model has a POOL or POOL/BACKEND, Picocli's completion elsewhere. */
    static String names(CommandSpec root) {
        List<String> backendCommands = new ArrayList<>();
        List<String> poolCommands = new ArrayList<>();
        TreeSet<String> valued = new TreeSet<>();
        collectValued(root, valued);
        for (CommandLine sub : root.subcommands().values()) {
            CommandSpec s = sub.getCommandSpec();
            List<PositionalParamSpec> ps = s.positionalParameters();
            if (s.usageMessage().hidden() || ps.isEmpty()) {
                continue;
            }
            if ("POOL/BACKEND".equals(ps.get(0).paramLabel())) {
                backendCommands.add(s.name());
            } else if ("POOL".equals(ps.get(0).paramLabel())) {
                poolCommands.add(s.name());
            }
        }
        String name = root.name();
        String fn = "_sluicectl_complete_names";
        return "\n# Pool and backend names from the running daemon (" + name + " __complete, at most 1 s per tab press;\n"
                + "# nothing when the daemon is down). An --admin on the line being completed is passed on.\n"
                + "function _sluicectl_daemon_names() {\n"
                + "  local admin=() i\n"
                + "  for ((i = 1; i < COMP_CWORD; i++)); do\n"
                + "    case \"${COMP_WORDS[i]}\" in\n"
                + "      --admin) admin=(--admin \"${COMP_WORDS[i+1]}\") ;;\n"
                + "      --admin=*) admin=(\"${COMP_WORDS[i]}\") ;;\n"
                + "    esac\n"
                + "  done\n"
                + "  \"${COMP_WORDS[0]}\" \"${admin[@]}\" __complete \"$1\" 2>/dev/null\n"
                + "}\n\n"
                + "function " + fn + "() {\n"
                + "  local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]} cmd='' args=0 i\n"
                + "  for ((i = 1; i < COMP_CWORD; i++)); do\n"
                + "    case \"${COMP_WORDS[i]}\" in\n"
                + "      " + String.join("|", valued) + ") ((i++)) ;;\n"
                + "      -*) ;;\n"
                + "      *) if [[ -z $cmd ]]; then cmd=${COMP_WORDS[i]}; else ((args++)); fi ;;\n"
                + "    esac\n"
                + "  done\n"
                + "  local IFS=$'\\n'\n"
                + "  if [[ $prev == --pool ]]; then\n"
                + "    COMPREPLY=( $(compgen -W \"$(_sluicectl_daemon_names pools)\" -- \"$cur\") )\n"
                + "  elif [[ $prev == --backend ]]; then\n"
                + "    COMPREPLY=( $(compgen -W \"$(_sluicectl_daemon_names backends | sed 's|.*/||' | sort -u)\" -- \"$cur\") )\n"
                + "  elif [[ $cur != -* && $args == 0 && \" " + String.join(" ", backendCommands) + " \" == *\" $cmd \"* ]]; then\n"
                + "    COMPREPLY=( $(compgen -W \"$(_sluicectl_daemon_names backends)\" -- \"$cur\") )\n"
                + "  elif [[ $cur != -* && $args == 0 && \" " + String.join(" ", poolCommands) + " \" == *\" $cmd \"* ]]; then\n"
                + "    COMPREPLY=( $(compgen -W \"$(_sluicectl_daemon_names pools)\" -- \"$cur\") )\n"
                + "  else\n"
                + "    _complete_" + name + " \"$@\"\n"
                + "  fi\n"
                + "}\n\n"
                + "complete -F " + fn + " -o default " + name + " " + name + ".sh " + name + ".bash\n";
    }

    /** Every option name that takes a value, in any command, so the wrapper skips its value. */
    private static void collectValued(CommandSpec spec, TreeSet<String> out) {
        for (OptionSpec o : spec.options()) {
            if (o.arity().max() > 0) {
                out.addAll(List.of(o.names()));
            }
        }
        for (CommandLine sub : spec.subcommands().values()) {
            collectValued(sub.getCommandSpec(), out);
        }
    }
}
