# bash completion for hwcal's programs (summarize_database, calibrate, export_calibration,
# sync_mappers, add_hardware). Installed as share/bash-completion/completions/<program>, one copy
# per program name, which bash-completion loads the first time that program is completed; or
# `source apps/completion.bash` in a shell.
#
# What to offer is read from the program's own --help (once per program and shell), so it cannot
# drift from the options: option names; an option's choices where --help lists them
# (`--device TEXT:{cpu, cuda, all}`); database entry ids after --id, --hardware-id and --history,
# from $HWCAL_DATABASE or the database installed beside the program; folders and files otherwise.

declare -gA _hwcal_help_cache 2>/dev/null || true

# _hwcal_help PROGRAM: the program's --help text, cached per program path.
_hwcal_help() {
  local program=$1 path
  path=$(type -P -- "$program" 2>/dev/null) || return 1
  if [[ -z ${_hwcal_help_cache[$path]+set} ]]; then
    _hwcal_help_cache[$path]=$("$path" --help 2>/dev/null) || return 1
  fi
  printf '%s\n' "${_hwcal_help_cache[$path]}"
}

# _hwcal_database PROGRAM: the database folder the program would use, as src/database finds it:
# $HWCAL_DATABASE, else the one installed with the program, else a hardware_database folder in
# the working folder or above (a checkout).
_hwcal_database() {
  if [[ -n ${HWCAL_DATABASE:-} ]]; then
    printf '%s\n' "$HWCAL_DATABASE"
    return
  fi
  local path folder
  path=$(type -P -- "$1" 2>/dev/null) || return 1
  path=$(readlink -f -- "$path") || return 1
  if [[ -d ${path%/*}/../share/hwcal/hardware_database ]]; then
    printf '%s\n' "${path%/*}/../share/hwcal/hardware_database"
    return
  fi
  folder=$PWD
  while [[ -n $folder ]]; do
    if [[ -d $folder/hardware_database ]]; then
      printf '%s\n' "$folder/hardware_database"
      return
    fi
    folder=${folder%/*}
  done
  return 1
}

_hwcal() {
  local cur=${COMP_WORDS[COMP_CWORD]} prev=
  ((COMP_CWORD > 0)) && prev=${COMP_WORDS[COMP_CWORD - 1]}
  local program=${COMP_WORDS[0]} help line choices database
  COMPREPLY=()
  help=$(_hwcal_help "$program") || return 0

  # --option=value: complete the value. Readline splits at "=" (COMP_WORDBREAKS), so the words
  # are "--option" "=" "value"; without that split, one word.
  if [[ $cur == = ]]; then
    cur=
  elif [[ $prev == = ]] && ((COMP_CWORD > 1)); then
    prev=${COMP_WORDS[COMP_CWORD - 2]}
  elif [[ $cur == --*=* ]]; then
    prev=${cur%%=*}
    cur=${cur#*=}
  fi

  if [[ $prev == -* ]]; then
    # The option's line in --help: `  --device TEXT:{cpu, cuda, all}` or `  -v,--verbose`.
    line=$(grep -E -- "^ +(-[a-zA-Z],)?${prev}( |$)" <<<"$help" | head -n 1)
    if [[ $line =~ \{([^}]*)\} ]]; then
      choices=${BASH_REMATCH[1]//,/ }
      mapfile -t COMPREPLY < <(compgen -W "$choices" -- "$cur")
      return 0
    fi
    case $prev in
    --id | --hardware-id | --history)
      database=$(_hwcal_database "$program") || return 0
      [[ -d $database ]] || return 0
      # Entries are hardware_database/<type>/<vendor>/<id>.json.
      mapfile -t COMPREPLY < <(compgen -W \
        "$(find "$database" -mindepth 3 -maxdepth 3 -name '*.json' -printf '%f\n' 2>/dev/null |
          sed 's/\.json$//')" -- "$cur")
      return 0
      ;;
    --database | --calibration-dir | --mappers-dir | --sysroot)
      mapfile -t COMPREPLY < <(compgen -d -- "$cur")
      compopt -o filenames 2>/dev/null
      return 0
      ;;
    esac
    # An option that takes a number: nothing to offer; one that takes TEXT: files.
    if [[ $line =~ ^\ +(-[a-zA-Z],)?--[a-z0-9-]+\ +(INT|UINT|FLOAT) ]]; then
      return 0
    fi
    if [[ $line =~ ^\ +(-[a-zA-Z],)?--[a-z0-9-]+\ +TEXT ]]; then
      mapfile -t COMPREPLY < <(compgen -f -- "$cur")
      compopt -o filenames 2>/dev/null
      return 0
    fi
  fi

  if [[ $cur == -* || -z $cur ]]; then
    mapfile -t COMPREPLY < <(compgen -W \
      "$(grep -oE -- '^ +(-[a-zA-Z],)?--[a-z0-9-]+' <<<"$help" | sed -E 's/^ +//; s/,/ /')" \
      -- "$cur")
    return 0
  fi
  mapfile -t COMPREPLY < <(compgen -f -- "$cur")
  compopt -o filenames 2>/dev/null
  return 0
}

complete -F _hwcal summarize_database calibrate export_calibration sync_mappers add_hardware
