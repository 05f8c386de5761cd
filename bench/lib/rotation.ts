/** Round `round`'s order of the items: rotated by one each round, so a drift of the machine over time does not always hit the same item first. */
export const rotated = <T>(items: T[], round: number): T[] => items.map((_, i) => items[(i + round) % items.length]);
