"""python -m labkit doctor [--clean]: is this machine ready for the course?"""
import argparse
import sys

from labkit.doctor.report import doctor


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m labkit")
    commands = parser.add_subparsers(dest="command", required=True)
    check = commands.add_parser("doctor", help="check versions, Redis, ports, leftovers, the machine")
    check.add_argument("--clean", action="store_true", help="stop services that crashed kernels left running")
    args = parser.parse_args(argv)
    report = doctor(clean=args.clean)
    print(report)
    return 0 if report.ready else 1


if __name__ == "__main__":
    sys.exit(main())
