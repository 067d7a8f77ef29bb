// The share card's size: 1200×630 is what Open Graph and X show large without cropping.
export const cardSize = { width: 1200, height: 630 } as const;
