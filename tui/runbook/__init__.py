"""Markdown runbooks: parsed into a checklist, commands classified, filled and run.

parser        Markdown -> Runbook (model): sections, steps, commands, text
placeholders  <pod-name>, $NAMESPACE: found, mapped to selection fields, filled quoted
danger        read / change / dangerous, interactive, streaming, with reasons (rules/)
target        --context and -n written into every local kubectl
runner        run one command: bounded output, timeout, cancel, whole process group
progress      checked steps and runs folded back from timeline records
suggest       runbooks for live signals, and fuzzy search by title, tags, file name
library       bundled and team runbooks, later directories overriding earlier ones
lint          what `warroom runbook lint` reports
shell, invocation, quoting, codeblock, plaintext, tables, frontmatter, source: the
pieces those are built from.

Nothing here imports Textual: the console renders what these modules return.
"""
