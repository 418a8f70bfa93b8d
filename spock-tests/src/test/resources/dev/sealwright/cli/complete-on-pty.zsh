# Types each line (arguments 2..) plus TAB into an interactive zsh on a pty and prints the edited line as "LINE:...";
# argument 1 is the completion script to source. Used by CliDiscoverabilitySpec.
zmodload zsh/zpty
zpty -b z 'PS1="" TERM=dumb zsh -f -i'
zpty -w z "autoload -U compinit && compinit -u; source ${(q)1}; PS1='READ''Y> '"
zpty -r z out '*READY> *'
for line in "${@:2}"; do
  zpty -w -n z "${line}"$'\t\x01print -r -- LINE:\n'
  zpty -r z out '*READY> *'
  lines=("${(@f)${out//$'\r'/}}")
  for l in "${lines[@]}"; do [[ $l == LINE:* ]] && print -r -- "$l"; done
done
zpty -d z
