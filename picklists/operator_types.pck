;type=text
; Operator types (op.ty): the values of models.OperatorType.  The type decides where sign-on lands.
"SYSTEM" SYSTEM - main menu
"COLLECTOR" COLLECTOR - Work In Progress list
"DIAL OPERATOR" DIAL OPERATOR - waits for dialer calls
"CLIENT" CLIENT - that client's accounts only
"WEB HOST" WEB HOST - web access
"SCHEDULER" SCHEDULER - runs scheduled tasks
"DISTRIBUTION" DISTRIBUTION - a team, not a sign-on
