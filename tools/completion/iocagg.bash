# tools/completion/iocagg.bash -- bash completion for iocagg(1).
# Installed in bash-completion's completions folder, which loads it the
# first time "iocagg" is completed.  Source and list slugs come from the
# server ("iocagg sources ls -q", "iocagg ignore ls -q"), when it answers.

_iocagg_kinds="DOMAIN IPV4 IPV6 URL EMAIL SHA1 SHA256 SHA512 MD5 TLSH SSDEEP"

_iocagg()
{
	local cur prev cmd sub i
	COMPREPLY=()
	cur=${COMP_WORDS[COMP_CWORD]}
	prev=${COMP_WORDS[COMP_CWORD-1]}

	# The command and subcommand: the first two words that are not
	# options or their arguments.
	cmd= sub=
	for ((i = 1; i < COMP_CWORD; i++)); do
		case ${COMP_WORDS[i]} in
		-u|-k|-s|-j|-n|-e) ((i++)); continue ;;
		-*) continue ;;
		esac
		if [[ -z $cmd ]]; then
			cmd=${COMP_WORDS[i]}
		elif [[ -z $sub ]]; then
			sub=${COMP_WORDS[i]}
			break
		fi
	done

	case $prev in
	-k)
		COMPREPLY=($(compgen -W "$_iocagg_kinds" -- "${cur^^}"))
		return ;;
	-s)
		COMPREPLY=($(compgen -W "$(iocagg sources ls -q 2>/dev/null)" \
		    -- "$cur"))
		return ;;
	-u)
		COMPREPLY=($(compgen -W "http:// https://" -- "$cur"))
		return ;;
	-j|-n|-e)
		return ;;
	esac

	case $cmd in
	'')
		if [[ $cur == -* ]]; then
			COMPREPLY=($(compgen -W "-h -V --help --version" -- "$cur"))
		else
			COMPREPLY=($(compgen -W "login lookup history sources \
			    ignore tokens" -- "$cur"))
		fi ;;
	login)
		COMPREPLY=($(compgen -W "-h -u" -- "$cur")) ;;
	lookup)
		if [[ $cur == -* ]]; then
			COMPREPLY=($(compgen -W "-h -j -k -s --force \
			    --ignore-errors --json" -- "$cur"))
		fi ;;
	history)
		if [[ -z $sub ]]; then
			COMPREPLY=($(compgen -W "show -h -n" -- "$cur"))
		fi ;;
	sources)
		case $sub in
		'')
			COMPREPLY=($(compgen -W "ls show enable disable -h" \
			    -- "$cur")) ;;
		show|enable|disable)
			COMPREPLY=($(compgen -W "-h $(iocagg sources ls -q \
			    2>/dev/null)" -- "$cur")) ;;
		ls)
			COMPREPLY=($(compgen -W "-h -q" -- "$cur")) ;;
		esac ;;
	ignore)
		case $sub in
		'')
			COMPREPLY=($(compgen -W "ls add rm -h" -- "$cur")) ;;
		*)
			if [[ $cur == -* ]]; then
				COMPREPLY=($(compgen -W "-h -q -k" -- "$cur"))
			elif [[ ${COMP_WORDS[COMP_CWORD-1]} == "$sub" ]]; then
				COMPREPLY=($(compgen -W "$(iocagg ignore ls -q \
				    2>/dev/null)" -- "$cur"))
			fi ;;
		esac ;;
	tokens)
		case $sub in
		'')
			COMPREPLY=($(compgen -W "ls add rm -h" -- "$cur")) ;;
		add)
			COMPREPLY=($(compgen -W "-h -e" -- "$cur")) ;;
		*)
			COMPREPLY=($(compgen -W "-h" -- "$cur")) ;;
		esac ;;
	esac
}
complete -F _iocagg iocagg
