#!/usr/bin/env python3
# Run from the repository root: python3 scripts/draw-icons.py (no dependencies).
# Draws Attest's icon (the favicon's "A" on brand blue) as PNG, for the web app manifest.
import struct, zlib, sys
OUTER=[(16,6),(24,26),(20,26),(18.4,21.7),(13.6,21.7),(12,26),(8,26)]
INNER=[(16,13),(14.4,18.2),(17.6,18.2)]
BG=(0x07,0x3f,0x76)
def inside(poly,x,y):
    c=False; n=len(poly)
    for i in range(n):
        x1,y1=poly[i]; x2,y2=poly[(i+1)%n]
        if (y1>y)!=(y2>y) and x < (x2-x1)*(y-y1)/(y2-y1)+x1: c=not c
    return c
def draw(size, maskable):
    rows=[]
    scale = 32/size
    # maskable: full bleed, glyph within the 80% safe zone; otherwise a rounded square.
    shrink = 0.7 if maskable else 1.0
    for py in range(size):
        row=bytearray([0])
        for px in range(size):
            cov_bg=0; cov_fg=0
            for sy in (0.25,0.75):
                for sx in (0.25,0.75):
                    x=(px+sx)*scale; y=(py+sy)*scale
                    if maskable: in_bg=True
                    else:
                        r=6; cx=min(max(x,r),32-r); cy=min(max(y,r),32-r)
                        in_bg=(x-cx)**2+(y-cy)**2<=r*r
                    gx=16+(x-16)/shrink; gy=16+(y-16)/shrink
                    fg=inside(OUTER,gx,gy) and not inside(INNER,gx,gy)
                    cov_bg+=in_bg; cov_fg+=in_bg and fg
            a=cov_bg/4; f=cov_fg/max(cov_bg,1)
            col=[round(BG[i]*(1-f)+255*f) for i in range(3)]
            row+=bytes(col+[round(255*a)])
        rows.append(bytes(row))
    raw=zlib.compress(b''.join(rows),9)
    def chunk(t,d): return struct.pack('>I',len(d))+t+d+struct.pack('>I',zlib.crc32(t+d)&0xffffffff)
    return b'\x89PNG\r\n\x1a\n'+chunk(b'IHDR',struct.pack('>IIBBBBB',size,size,8,6,0,0,0))+chunk(b'IDAT',raw)+chunk(b'IEND',b'')
for name,size,mask in [('attest-192.png',192,False),('attest-512.png',512,False),('attest-maskable-512.png',512,True)]:
    open(f'public/icons/{name}','wb').write(draw(size,mask))
