#!/usr/bin/env bash
# The generated variants `npm run fit-alerts` fits and validates the alerting model on (beside
# p4677's training and validation parts): other seeds and parameters than any recording it is
# scored on. Alternate folders (sorted) are fit and validation data. Usage:
#   bash scripts/alerting-variants.sh [OUT]     (default data/alerting-fit; kept when up to date)
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${1:-data/alerting-fit}
fx() { npm run --silent fixtures -- "$@" > /dev/null; }
# fit: irregular cycles (four patches), and the six p4581-like load levels
fx irregular --seed 9101 --set duration=330 --set irregularity=0.3 --set heterogeneity=0.1 --out "$OUT/irr-a"
fx p4581 --seed 9103 --set duration=400 --out "$OUT/levels"
# validation: irregular cycles loaded faster, and slower, longer p4677-like cycles
fx irregular --seed 9104 --set duration=330 --set load_velocity=15 --set irregularity=0.3 --set heterogeneity=0.1 --out "$OUT/irr-fast"
fx p4677 --seed 9102 --set load_velocity=6 --set irregularity=0.15 --set strength_slip=60 --set strength_spread=20 --out "$OUT/slow"
echo "variants in $OUT"
