throw new Error('msgpackr-extract is intentionally absent (see package.json)');
