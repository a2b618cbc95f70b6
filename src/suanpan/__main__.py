from suanpan.cli import main

main()
